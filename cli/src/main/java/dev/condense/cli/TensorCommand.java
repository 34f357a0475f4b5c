// `condense tensor`: show what a tensor file (.npy or ONNX .pb) holds, and convert between the two formats.
package dev.condense.cli;

import dev.condense.io.TensorFileException;
import dev.condense.io.TensorFiles;
import dev.condense.ir.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "tensor",
        description = {"Show a tensor file (NumPy .npy or ONNX TensorProto .pb): name, type, shape, statistics.",
                "With -o, write it in the format the output's extension names."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense tensor input_0.pb", "  condense tensor input_0.pb -o input.npy"})
final class TensorCommand implements Callable<Integer> {

    private static final int SHOWN_VALUES = 8;

    @Parameters(index = "0", paramLabel = "FILE", description = "a .npy or .pb tensor file")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "write the tensor to OUT (.npy or .pb)")
    Path output;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws TensorFileException, UserException, IOException {
        if (output != null && Files.exists(output) && Files.isSameFile(file, output)) {
            throw new UserException("the output " + output + " is the input; write to another file");
        }
        if (output != null && TensorFiles.EXTENSIONS.stream()
                .noneMatch(ext -> output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(ext))) {
            throw new UserException("cannot tell the format of " + output + " from its name; write a file ending in "
                    + String.join(" or ", TensorFiles.EXTENSIONS));
        }
        Tensor t = TensorFiles.read(file);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s: %s %s%s, %,d elements%n", file.getFileName(), t.name().isEmpty() ? "(unnamed)"
                : t.name(), t.dtype().displayName(), Arrays.toString(t.dims()), t.elementCount());
        long n = t.elementCount();
        if (n > 0 && t.dtype().isFloatingPoint() || n > 0 && t.dtype().isInteger()) {
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            double sum = 0;
            long nonFinite = 0;
            for (long i = 0; i < n; i++) {
                double v = t.getDouble(i);
                if (!Double.isFinite(v)) {
                    nonFinite++;
                    continue;
                }
                min = Math.min(min, v);
                max = Math.max(max, v);
                sum += v;
            }
            long finite = n - nonFinite;
            if (finite > 0) {
                out.printf(Locale.ROOT, "min %.6g  max %.6g  mean %.6g%s%n", min, max, sum / finite,
                        nonFinite == 0 ? "" : String.format(Locale.ROOT, "  (%,d NaN or infinite)", nonFinite));
            }
            StringBuilder first = new StringBuilder();
            for (long i = 0; i < Math.min(n, SHOWN_VALUES); i++) {
                first.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6g", t.getDouble(i)));
            }
            out.println("values [" + first + (n > SHOWN_VALUES ? ", ...]" : "]"));
        }
        if (output != null) {
            TensorFiles.write(output, t);
            out.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", output, Files.size(output));
        }
        return 0;
    }
}
