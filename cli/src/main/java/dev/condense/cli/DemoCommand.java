// `condense demo`: the main job on bundled defaults; for now it builds, writes, re-imports and inspects LeNet-5.
package dev.condense.cli;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "demo",
        description = {"Run the main job on bundled defaults.",
                "Today it builds the zoo's LeNet-5 (seeded weights), writes it as ONNX, imports it back and prints"
                        + " its summary; compression, evaluation and the report join as they land."},
        mixinStandardHelpOptions = true,
        footer = {"", "Example:", "  condense demo --keep demo-out"})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--keep", paramLabel = "DIR", description = "keep the written model in DIR instead of a temporary folder")
    Path keep;

    @Option(names = "--json", description = "print the summary as JSON")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, ModelLoadException {
        PrintWriter out = spec.commandLine().getOut();
        Model model = Zoo.get("lenet-5").build(ZooSpec.fashionMnist());
        Path dir = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("condense-demo");
        Path file = dir.resolve("lenet5.onnx");
        try {
            OnnxWriter.write(model, file, OnnxWriter.Options.inline());
            OnnxReader.Loaded loaded = OnnxReader.load(file);
            ModelSummary summary = InspectCommand.summarize(file.getFileName().toString(), loaded.model(),
                    loaded.bytesOnDisk());
            if (json) {
                out.println(summary.toJson());
            } else {
                out.println("Condense demo: the zoo's LeNet-5 (seeded weights), written as ONNX and imported back.");
                out.println();
                out.println(summary.toText().stripTrailing());
                if (keep != null) {
                    out.println();
                    out.println("written: " + file);
                }
            }
            return 0;
        } finally {
            if (keep == null) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        }
    }
}
