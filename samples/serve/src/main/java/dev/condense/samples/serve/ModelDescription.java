// What GET /model answers: the served file, its input and classes, the engine, and how it was compressed.
package dev.condense.samples.serve;

import dev.condense.compress.FormatException;
import dev.condense.compress.dcz.DczFile;
import dev.condense.compress.dcz.DczModel;
import dev.condense.compress.dcz.DczReader;
import dev.condense.compress.dcz.Manifest;
import dev.condense.ir.ModelLoadException;
import dev.condense.runtime.ImageClassifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Built once when the server starts. For a DCZ container the compression part is its manifest's
 * format, settings (pruning, weight sharing, Huffman coding, per-layer choices) and payload sizes;
 * an ONNX file is reported as "uncompressed".
 */
final class ModelDescription {

    private ModelDescription() {
    }

    /** The description of {@code file} served by {@code classifier}, as a JSON-ready map. */
    static Map<String, Object> of(Path file, ImageClassifier classifier) throws IOException, ModelLoadException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name(file));
        out.put("fileBytes", Files.size(file));
        int[] sample = classifier.sampleShape();
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("name", classifier.session().inputs().getFirst().name());
        input.put("shape", List.of(1, sample[0], sample[1], sample[2]));
        out.put("input", input);
        out.put("classes", classifier.labels().size());
        out.put("labels", classifier.labels());
        Map<String, Object> normalization = new LinkedHashMap<>();
        normalization.put("mean", floats(classifier.normalization().mean()));
        normalization.put("std", floats(classifier.normalization().std()));
        out.put("normalization", normalization);
        out.put("backend", classifier.session().backend().id());
        out.put("engine", classifier.session().describe());
        out.put("compression", DczModel.isDcz(file) ? compression(file) : "uncompressed");
        out.put("metadata", new TreeMap<>(classifier.session().model().metadata()));
        return out;
    }

    /** The name the answers carry: the file name. */
    static String name(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }

    private static Map<String, Object> compression(Path file) throws IOException, ModelLoadException {
        DczFile dcz;
        try {
            dcz = DczReader.read(file);
        } catch (FormatException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
        Manifest m = dcz.manifest();
        long payload = 0;
        long elements = 0;
        long kept = 0;
        for (Manifest.LayerRecord layer : m.layers()) {
            payload = Math.addExact(payload, layer.totalBytes());
            elements = Math.addExact(elements, layer.elements());
            kept = Math.addExact(kept, layer.kept());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("format", m.format());
        out.put("formatVersion", m.formatVersion());
        out.put("settings", m.settings());
        out.put("tensors", m.tensors().size());
        out.put("weights", elements);
        out.put("keptWeights", kept);
        out.put("payloadBytes", payload);
        return out;
    }

    private static List<Float> floats(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return List.of(boxed);
    }
}
