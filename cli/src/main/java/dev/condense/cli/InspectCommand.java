// `condense inspect`: what a model file holds, as text or as one JSON object.
package dev.condense.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczFile;
import dev.condense.compress.dcz.DczModel;
import dev.condense.compress.dcz.DczReader;
import dev.condense.compress.dcz.Manifest;
import dev.condense.compress.layer.LayerSizes;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;
import dev.condense.shape.ModelCost;
import dev.condense.shape.ShapeInference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;

@Command(name = "inspect",
        description = {"Summarize a model: opset, inputs and outputs with shapes, ops, nodes, parameters, bytes.",
                "Output shapes come from shape inference; bytes include external data files. For a .dcz container,"
                        + " also the settings it was made with and how each tensor is stored: encoding, share kept,"
                        + " codebook size, index and weight bits per stored entry, bytes and ratio."},
        mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  condense inspect resnet18.onnx --json", "  condense inspect alexnet.dcz"})
final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL", description = "an ONNX model file (.onnx) or a DCZ container (.dcz)")
    Path model;

    @Option(names = "--json", description = "print one JSON object with keys opset, inputs, outputs, ops, nodes,"
            + " parameters, bytes")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws ModelLoadException, IOException, FormatException {
        if (DczModel.isDcz(model)) {
            return inspectDcz();
        }
        OnnxReader.Loaded loaded = OnnxReader.load(model);
        ModelSummary summary = summaryOrDeclared(loaded.model(), loaded.bytesOnDisk());
        spec.commandLine().getOut().println(json ? summary.toJson() : summary.toText().stripTrailing());
        return 0;
    }

    /** The model's summary, then how the container stores each tensor (from its verified manifest). */
    private int inspectDcz() throws IOException, FormatException {
        DczFile dcz = DczReader.read(model);
        Model decoded = DczModel.toModel(dcz);
        ModelSummary summary = summaryOrDeclared(decoded, Files.size(model));
        PrintWriter out = spec.commandLine().getOut();
        Manifest manifest = dcz.manifest();
        if (json) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = (ObjectNode) mapper.readTree(summary.toJson());
            ObjectNode container = root.putObject("dcz");
            container.put("format_version", manifest.formatVersion());
            container.set("settings", mapper.valueToTree(manifest.settings()));
            container.put("graph_bytes", dcz.archive().graph().byteSize());
            List<Map<String, Object>> tensors = new ArrayList<>();
            for (int i = 0; i < manifest.tensors().size(); i++) {
                Manifest.TensorRecord t = manifest.tensors().get(i);
                Manifest.LayerRecord l = manifest.layers().get(i);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", t.name());
                m.put("entry", t.entry());
                m.put("dims", t.dims());
                m.put("encoding", t.encoding());
                m.put("elements", l.elements());
                m.put("entries", l.entries());
                m.put("kept", l.kept());
                if (t.encoding().contains("int8")) {
                    m.put("scales", l.codebookBytes() / 5); // an f32 scale and a zero-point byte each
                } else {
                    m.put("codebook", l.codebookBytes() / 4);
                }
                m.put("header_bytes", l.headerBytes());
                m.put("codebook_bytes", l.codebookBytes());
                m.put("huffman_table_bytes", l.huffmanTableBytes());
                m.put("index_bits", l.indexBits());
                m.put("weight_bits", l.weightBits());
                m.put("bytes", l.totalBytes());
                tensors.add(m);
            }
            container.set("tensors", mapper.valueToTree(tensors));
            out.println(mapper.writeValueAsString(root));
            return 0;
        }
        out.println(summary.toText().stripTrailing());
        out.printf("%-11s DCZ version %d, %d tensors, graph entry %,d bytes%n", "container", manifest.formatVersion(),
                manifest.tensors().size(), dcz.archive().graph().byteSize());
        if (!manifest.settings().isEmpty()) {
            out.printf("%-11s %s%n", "settings", manifest.settings().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ")));
        }
        int nameWidth = "tensor".length();
        for (Manifest.TensorRecord t : manifest.tensors()) {
            nameWidth = Math.max(nameWidth, t.name().length());
        }
        String row = "%-" + nameWidth + "s  %-16s  %-18s  %7s  %5s  %10s  %11s  %12s  %7s%n";
        out.println();
        out.printf(row, "tensor", "encoding", "dims", "kept %", "k", "index bits", "weight bits", "bytes", "ratio");
        for (int i = 0; i < manifest.tensors().size(); i++) {
            Manifest.TensorRecord t = manifest.tensors().get(i);
            LayerSizes s = manifest.layers().get(i).sizes();
            boolean raw = t.encoding().equals("raw-fp32");
            out.printf(Locale.ROOT, row, t.name(), t.encoding(), t.dims().toString(),
                    String.format(Locale.ROOT, "%.1f", 100 * s.density()),
                    s.codebookBytes() == 0 || t.encoding().contains("int8") ? "-" : String.valueOf(s.codebookBytes() / 4),
                    raw || s.indexBits() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", s.bitsPerIndex()),
                    raw ? "32" : String.format(Locale.ROOT, "%.2f", s.bitsPerWeight()),
                    String.format(Locale.ROOT, "%,d", s.totalBytes()),
                    String.format(Locale.ROOT, "%.1fx", s.compressionRate()));
        }
        return 0;
    }

    /** The summary with inferred shapes, or with the declared ones (and a warning) when inference fails. */
    private ModelSummary summaryOrDeclared(Model m, long bytes) {
        String source = model.getFileName().toString();
        try {
            return summarize(source, m, bytes);
        } catch (ModelLoadException e) {
            // The file is readable but its shapes contradict each other: still show what it holds.
            spec.commandLine().getErr().println("condense inspect: warning: shape inference failed, showing declared"
                    + " shapes: " + e.getMessage());
            return ModelSummary.of(source, m, bytes, null);
        }
    }

    /** The summary with output shapes from shape inference. */
    static ModelSummary summarize(String source, Model model, long bytes) throws ModelLoadException {
        Model inferred = ShapeInference.infer(model);
        return ModelSummary.of(source, inferred, bytes, ModelCost.of(inferred));
    }
}
