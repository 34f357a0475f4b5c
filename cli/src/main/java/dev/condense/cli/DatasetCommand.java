// `condense dataset`: check that a dataset reads, and show its size, sample shape and class balance.
package dev.condense.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.FashionMnist;
import dev.condense.data.ImageFolder;
import dev.condense.data.ImageTransform;
import dev.condense.data.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "dataset",
        description = {"Read a dataset and show its size, sample shape and images per class.",
                "SOURCE is 'fashion-mnist' (the IDX files of the Debian package dataset-fashion-mnist, or those in"
                        + " --data DIR) or a folder with one subfolder of PNG/JPEG images per class."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense dataset fashion-mnist",
                "  condense dataset fashion-mnist --data ~/datasets/fashion-mnist --split test",
                "  condense dataset photos/ --size 224 --channels 3"})
final class DatasetCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SOURCE", description = "'fashion-mnist' or an image folder")
    String source;

    @Option(names = "--data", paramLabel = "DIR",
            description = "folder holding the Fashion-MNIST IDX files (default: where the Debian package installs them)")
    Path data;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "both",
            description = "train, test or both (Fashion-MNIST; default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = "--size", paramLabel = "PIXELS", defaultValue = "224",
            description = "image folders: resize the shorter side to 8/7 of PIXELS (224 -> 256, as ImageNet evaluation does) and crop the central PIXELS x PIXELS (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--channels", paramLabel = "C", defaultValue = "3",
            description = "image folders: 1 (luminance) or 3 (RGB) (default: ${DEFAULT-VALUE})")
    int channels;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws UserException, DatasetException {
        List<Map<String, Object>> parts = new ArrayList<>();
        if (source.equalsIgnoreCase("fashion-mnist") || source.equalsIgnoreCase("fashionmnist")) {
            Path dir = data != null ? data : FashionMnist.DEFAULT_DIR;
            for (Split s : splits()) {
                parts.add(describe("fashion-mnist " + s.name().toLowerCase(Locale.ROOT), FashionMnist.open(dir, s)));
            }
        } else {
            if (data != null) {
                throw new UserException("--data is for fashion-mnist; give an image folder as SOURCE itself");
            }
            if (size < 1 || size > 8192) {
                throw new UserException("--size must be between 1 and 8192, got " + size);
            }
            if (channels != 1 && channels != 3) {
                throw new UserException("--channels must be 1 or 3, got " + channels);
            }
            ImageTransform transform = new ImageTransform(Math.max(size, Math.round(size * 8 / 7f)), size, size, channels);
            parts.add(describe(source, ImageFolder.open(Path.of(source), transform)));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(parts));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            return 0;
        }
        for (Map<String, Object> p : parts) {
            int[] shape = (int[]) p.get("sample_shape");
            out.printf(Locale.ROOT, "%s: %,d images of %dx%dx%d, %d classes%n", p.get("name"), (Integer) p.get("images"),
                    shape[0], shape[1], shape[2], ((List<?>) p.get("classes")).size());
            @SuppressWarnings("unchecked")
            Map<String, Integer> perClass = (Map<String, Integer>) p.get("images_per_class");
            perClass.forEach((name, count) -> out.printf(Locale.ROOT, "  %-14s %,8d%n", name, count));
        }
        return 0;
    }

    private List<Split> splits() throws UserException {
        return switch (split.toLowerCase(Locale.ROOT)) {
            case "train" -> List.of(Split.TRAIN);
            case "test" -> List.of(Split.TEST);
            case "both" -> List.of(Split.TRAIN, Split.TEST);
            default -> throw new UserException("--split must be train, test or both, got '" + split + "'");
        };
    }

    private static Map<String, Object> describe(String name, Dataset d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("images", d.size());
        m.put("sample_shape", d.sampleShape());
        m.put("classes", d.classNames());
        Map<String, Integer> perClass = new LinkedHashMap<>();
        int[] counts = d.classCounts();
        for (int i = 0; i < counts.length; i++) {
            perClass.put(d.classNames().get(i), counts[i]);
        }
        m.put("images_per_class", perClass);
        return m;
    }
}
