// `condense zoo`: list the built-in CNN families with their costs, and export any of them as ONNX.
package dev.condense.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.condense.ir.Model;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.onnx.OnnxWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "zoo",
        description = {"The documented CNN families, built by Condense with seeded weights (no downloads).",
                "Each builds at ImageNet scale (3x224x224, 1000 classes; Inception v3 at 299) or Fashion-MNIST"
                        + " scale (1x28x28, 10 classes) or any input its layout fits."},
        mixinStandardHelpOptions = true,
        subcommands = {ZooCommand.List.class, ZooCommand.Export.class},
        footer = {"", "Examples:", "  condense zoo list", "  condense zoo export resnet-50 -o resnet50.onnx",
                "  condense zoo export vgg-16 --input fashion-mnist -o vgg16-fmnist.onnx"})
final class ZooCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The scale options both subcommands share. */
    static final class ScaleOptions {
        @Option(names = "--input", paramLabel = "CxHxW",
                description = "input size: CxHxW, 'imagenet' or 'fashion-mnist' (default: each model's reference input)")
        String input;

        @Option(names = "--classes", paramLabel = "N",
                description = "number of classes (default: 1000 at ImageNet scale, 10 under 112 pixels)")
        Integer classes;

        @Option(names = "--width-multiplier", paramLabel = "F",
                description = "scale every width by F (default: 1 at ImageNet scale, the family's reduced widths under 112 pixels)")
        Double widthMultiplier;

        @Option(names = "--seed", paramLabel = "S", description = "weight seed (default: ${DEFAULT-VALUE})",
                defaultValue = "" + ZooSpec.DEFAULT_SEED)
        long seed;

        /** The spec for one entry, or empty to mean the entry's reference spec with these overrides. */
        ZooSpec specFor(Zoo.Entry entry) throws UserException {
            ZooSpec base = entry.referenceSpec();
            if (input != null) {
                base = parseInput(input);
            }
            try {
                ZooSpec spec = base.withSeed(seed);
                if (classes != null) {
                    spec = spec.withClasses(classes);
                }
                if (widthMultiplier != null) {
                    spec = spec.withWidthMultiplier(widthMultiplier);
                }
                return spec;
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
            }
        }

        static ZooSpec parseInput(String text) throws UserException {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "imagenet":
                    return ZooSpec.imagenet();
                case "fashion-mnist", "fashionmnist", "mnist":
                    return ZooSpec.fashionMnist();
                default:
                    break;
            }
            String[] parts = text.split("x", -1);
            if (parts.length != 3) {
                throw new UserException("--input '" + text + "' is not CxHxW (e.g. 3x224x224), 'imagenet' or 'fashion-mnist'");
            }
            int[] dims = new int[3];
            for (int i = 0; i < 3; i++) {
                try {
                    dims[i] = Integer.parseInt(parts[i]);
                } catch (NumberFormatException e) {
                    throw new UserException("--input '" + text + "': '" + parts[i] + "' is not a number");
                }
                if (dims[i] < 1 || dims[i] > 16384) {
                    throw new UserException("--input '" + text + "': sizes must be between 1 and 16384, got " + dims[i]);
                }
            }
            ZooSpec spec = new ZooSpec(dims[0], dims[1], dims[2], 1000, 0, ZooSpec.DEFAULT_SEED);
            return spec.smallInput() ? spec.withClasses(10) : spec;
        }
    }

    @Command(name = "list", description = "List the zoo with parameter counts and multiply-accumulates at both scales.",
            mixinStandardHelpOptions = true,
            footer = {"", "MACs are multiply-accumulates for one image; FLOPs are twice that.",
                    "Parameters are learnable ones (BatchNorm running statistics left out), as papers count them."})
    static final class List implements Callable<Integer> {

        @picocli.CommandLine.Mixin
        ScaleOptions scale = new ScaleOptions();

        @Option(names = "--json", description = "print JSON: one object per model")
        boolean json;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws UserException {
            PrintWriter out = spec.commandLine().getOut();
            boolean custom = scale.input != null || scale.classes != null || scale.widthMultiplier != null;
            java.util.List<Map<String, Object>> rows = new ArrayList<>();
            for (Zoo.Entry e : Zoo.entries()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", e.name());
                row.put("family", e.family());
                row.put("description", e.description());
                row.put("published_parameters", e.publishedParameters());
                row.put("published_source", e.source());
                if (custom) {
                    row.put("custom", costRow(e, scale.specFor(e)));
                } else {
                    row.put("reference", costRow(e, e.referenceSpec()));
                    row.put("fashion_mnist", costRow(e, ZooSpec.fashionMnist()));
                }
                rows.add(row);
            }
            if (json) {
                out.println(toJson(rows));
                return 0;
            }
            if (custom) {
                out.printf("%-16s %-14s %11s %11s %6s%n", "model", "input", "params", "MACs", "width");
            } else {
                out.printf("%-16s %-22s %9s %9s   %-22s %9s %9s %6s%n", "model", "reference input", "params", "MACs",
                        "fashion-mnist input", "params", "MACs", "width");
            }
            for (Map<String, Object> row : rows) {
                if (custom) {
                    Map<?, ?> c = (Map<?, ?>) row.get("custom");
                    if (c.containsKey("error")) {
                        out.printf("%-16s %-14s %s%n", row.get("name"), c.get("input_text"), c.get("error"));
                        continue;
                    }
                    out.printf("%-16s %-14s %11s %11s %6s%n", row.get("name"), c.get("input_text"),
                            count((Long) c.get("parameters")), count((Long) c.get("macs")), c.get("width_text"));
                } else {
                    Map<?, ?> r = (Map<?, ?>) row.get("reference");
                    Map<?, ?> f = (Map<?, ?>) row.get("fashion_mnist");
                    out.printf("%-16s %-22s %9s %9s   %-22s %9s %9s %6s%n", row.get("name"), r.get("input_text"),
                            count((Long) r.get("parameters")), count((Long) r.get("macs")), f.get("input_text"),
                            count((Long) f.get("parameters")), count((Long) f.get("macs")), f.get("width_text"));
                }
            }
            return 0;
        }

        private static Map<String, Object> costRow(Zoo.Entry e, ZooSpec s) throws UserException {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("input", java.util.List.of(s.channels(), s.height(), s.width()));
            m.put("classes", s.classes());
            m.put("input_text", s.inputText() + ", " + s.classes());
            try {
                Zoo.Cost c = e.cost(s);
                m.put("parameters", c.learnableParameters());
                m.put("stored_parameters", c.parameters());
                m.put("macs", c.macs());
                m.put("flops", Math.multiplyExact(c.macs(), 2L));
                m.put("width_multiplier", c.widthMultiplier());
                m.put("width_text", String.format(Locale.ROOT, "%.2f", c.widthMultiplier()));
            } catch (IllegalArgumentException ex) {
                // A model whose layout the input does not fit is listed with the reason, not dropped.
                m.put("error", ex.getMessage());
                m.put("parameters", -1L);
                m.put("macs", -1L);
                m.put("width_text", "-");
            }
            return m;
        }
    }

    @Command(name = "export", description = "Write one zoo model as an ONNX file (opset 13, seeded weights).",
            mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  condense zoo export mobilenet-v2 -o mobilenet_v2.onnx",
                    "  condense zoo export resnet-18 --input 1x28x28 --classes 10 -o resnet18-fmnist.onnx",
                    "  condense zoo export vgg-19 --external-data vgg19.data -o vgg19.onnx"})
    static final class Export implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "NAME", description = "a model from 'condense zoo list'")
        String name;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.onnx", description = "where to write it")
        Path output;

        @picocli.CommandLine.Mixin
        ScaleOptions scale = new ScaleOptions();

        @Option(names = "--external-data", paramLabel = "FILE",
                description = "store tensors of 1 KiB and more in FILE beside the output (ONNX external data)")
        String externalData;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws UserException, IOException {
            Optional<Zoo.Entry> found = Zoo.find(name);
            if (found.isEmpty()) {
                throw new UserException("no zoo model '" + name + "'; there are "
                        + String.join(", ", Zoo.entries().stream().map(Zoo.Entry::name).toList()));
            }
            Zoo.Entry entry = found.get();
            ZooSpec zooSpec = scale.specFor(entry);
            OnnxWriter.Options options;
            try {
                options = externalData == null ? OnnxWriter.Options.inline() : OnnxWriter.Options.external(externalData);
            } catch (IllegalArgumentException e) {
                throw new UserException("--external-data: " + e.getMessage());
            }
            if (Files.isDirectory(output)) {
                throw new UserException("the output " + output + " is a folder; name a file");
            }
            Model model;
            Zoo.Cost cost;
            try {
                cost = entry.cost(zooSpec);
                model = entry.build(zooSpec);
            } catch (IllegalArgumentException e) {
                throw new UserException(e.getMessage());
            }
            OnnxWriter.write(model, output, options);
            long bytes = Files.size(output);
            if (externalData != null && Files.exists(output.resolveSibling(externalData))) {
                bytes += Files.size(output.resolveSibling(externalData));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "%s: %s, %d classes, width %.2f, seed %d%n", entry.name(), zooSpec.inputText(),
                    zooSpec.classes(), cost.widthMultiplier(), zooSpec.seed());
            out.printf(Locale.ROOT, "%,d parameters, %s MACs, %s written to %s%n", cost.learnableParameters(),
                    count(cost.macs()), ModelSummary.human(bytes), output);
            return 0;
        }
    }

    /** 61.7 K, 138.4 M, 15.47 G. */
    static String count(long n) {
        if (n < 0) {
            return "-";
        }
        if (n < 1_000) {
            return Long.toString(n);
        }
        if (n < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        }
        if (n < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.1f M", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f G", n / 1e9);
    }

    private static String toJson(Object value) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
