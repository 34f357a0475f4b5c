// An ONNX model stored as a DCZ container: the graph entry without the weight bytes, restored from the tensor entries on load.
package dev.condense.compress.dcz;

import dev.condense.compress.FormatException;
import dev.condense.compress.layer.Int8Quantization;
import dev.condense.ir.DataType;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.OnnxWriter;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The graph-entry convention of docs/FORMAT.md, section 1.4. {@code graph.onnx} is the model's
 * ModelProto in which every initializer stored as a tensor entry is a reference without bytes:
 * {@code data_location = EXTERNAL} with {@code location} = the name of its entry and {@code length}
 * = its byte size (4 per element for fp32, 1 for an int8 entry's INT8 or UINT8 initializer). Every
 * other initializer (such as Reshape's int64 shapes, or a QDQ model's scales, zero points and int32
 * biases) stays inline. Reading resolves each reference against the manifest, decodes the entry, and
 * checks that the tensor's type and dims agree, that every tensor entry is referenced exactly once,
 * and that an int8 entry's scales and zero points are those its DequantizeLinear nodes use.
 */
public final class DczModel {

    /** The local file header signature that every zip archive, and so every DCZ file, starts with. */
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    private DczModel() {
    }

    /**
     * The archive of {@code model} with {@code tensors} as its tensor entries. Each tensor must
     * name an initializer of the main graph with the same dims and element type (fp32; INT8 or UINT8
     * for an int8 entry, whose scales and zero points must be those of the DequantizeLinear nodes
     * reading it); the graph entry is the model with those initializers detached.
     */
    public static DczArchive archive(Model model, List<DczTensor> tensors, Map<String, String> settings) {
        Map<String, String> detached = new LinkedHashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            DczTensor t = tensors.get(i);
            Tensor initializer = model.graph().initializers().get(t.name());
            DataType type;
            try {
                type = t.elementType("tensor '" + t.name() + "'");
            } catch (FormatException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            if (initializer == null || initializer.dtype() != type || !Arrays.equals(initializer.dims(), t.dims())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' " + Arrays.toString(t.dims())
                        + " is not " + (type == DataType.FLOAT ? "an fp32" : "an " + type.displayName())
                        + " initializer of that shape in the model's graph"
                        + (initializer == null ? "" : " (it is " + initializer.dtype().displayName()
                        + Arrays.toString(initializer.dims()) + ")"));
            }
            if (t.encoding().int8()) {
                String problem = int8Problem(model, t, "tensor '" + t.name() + "'");
                if (problem != null) {
                    throw new IllegalArgumentException(problem);
                }
            }
            detached.put(t.name(), DczFormat.tensorEntryName(i, t.name()));
        }
        return DczArchive.of(settings, OnnxWriter.toBytes(model, detached), tensors);
    }

    /**
     * Why the int8 tensor {@code t} does not fit {@code model}'s graph, or null: its scales and zero
     * points must be those of the DequantizeLinear nodes that read it (section 1.4).
     */
    private static String int8Problem(Model model, DczTensor t, String source) {
        Int8Quantization stored;
        try {
            stored = t.quantization(source);
        } catch (FormatException e) {
            return e.getMessage();
        }
        Tensor initializer = model.graph().initializers().get(t.name());
        DequantizeParameters.Found found = DequantizeParameters.of(model.graph(), initializer);
        if (!found.ok()) {
            return source + ": stored as int8, but " + found.problem();
        }
        if (!DequantizeParameters.sameMeaning(stored, found.quantization())) {
            return source + ": the entry holds " + DequantizeParameters.describe(stored) + ", the graph's DequantizeLinear "
                    + DequantizeParameters.describe(found.quantization());
        }
        return null;
    }

    /** True when {@code file} is named {@code *.dcz} or starts as a zip archive does (an ONNX file never does). */
    public static boolean isDcz(Path file) {
        if (file.getFileName() != null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".dcz")) {
            return true;
        }
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(ZIP_MAGIC.length), ZIP_MAGIC);
        } catch (IOException e) {
            return false; // the reader that follows reports why the file cannot be read
        }
    }

    /** Reads, checks and decodes {@code file} into the model it stores. */
    public static Model read(Path file) throws IOException, FormatException {
        return toModel(DczReader.read(file));
    }

    /**
     * Every tensor decoded, on all cores (decoding is most of opening a large container); the
     * first failure in manifest order is thrown, naming its entry.
     */
    private static Map<String, MemorySegment> decodeAll(DczFile dcz) throws FormatException {
        List<Manifest.TensorRecord> tensors = dcz.manifest().tensors();
        MemorySegment[] decoded = new MemorySegment[tensors.size()];
        FormatException[] failures = new FormatException[tensors.size()];
        IntStream.range(0, tensors.size()).parallel().forEach(i -> {
            try {
                decoded[i] = dcz.decodeToSegment(tensors.get(i).name());
            } catch (FormatException e) {
                failures[i] = e;
            }
        });
        Map<String, MemorySegment> byName = new HashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (failures[i] != null) {
                throw failures[i];
            }
            byName.put(tensors.get(i).name(), decoded[i]);
        }
        return byName;
    }

    /**
     * The model {@code dcz} stores, every tensor entry decoded. A graph entry that is no valid ONNX
     * model, a reference to an entry the manifest does not hold, or a tensor the graph leaves
     * unreferenced is a {@link FormatException} naming the file and the entry.
     */
    public static Model toModel(DczFile dcz) throws FormatException {
        Map<String, Manifest.TensorRecord> byName = new HashMap<>();
        for (Manifest.TensorRecord t : dcz.manifest().tensors()) {
            byName.put(t.name(), t);
        }
        String graphSource = dcz.fileName() + ": entry '" + DczFormat.GRAPH + "'";
        Map<String, MemorySegment> decoded = decodeAll(dcz);
        Set<String> restored = new HashSet<>();
        Model model;
        try {
            model = OnnxReader.readWithExternal(dcz.archive().graphBytes(), (tensor, location, offset, length, expectedSize) -> {
                Manifest.TensorRecord record = byName.get(tensor);
                if (record == null || !record.entry().equals(location)) {
                    throw new ModelLoadException("initializer '" + tensor + "' refers to entry '" + location + "', "
                            + (record == null ? "but the manifest lists no tensor of that name"
                            : "but the manifest stores it in entry '" + record.entry() + "'"));
                }
                if (offset > 0 || (length >= 0 && length != expectedSize)) {
                    throw new ModelLoadException("initializer '" + tensor + "' refers to bytes " + offset + ".."
                            + length + " of entry '" + location + "'; a DCZ graph refers to whole entries");
                }
                if (!restored.add(tensor)) {
                    throw new ModelLoadException("initializer '" + tensor + "' is referenced twice");
                }
                MemorySegment data = decoded.get(tensor);
                if (data.byteSize() != expectedSize) {
                    throw new ModelLoadException("initializer '" + tensor + "' needs " + expectedSize
                            + " bytes, entry '" + location + "' decodes to " + data.byteSize());
                }
                return data;
            }, graphSource);
        } catch (ModelLoadException e) {
            String message = e.getMessage().startsWith(graphSource) ? e.getMessage() : graphSource + ": " + e.getMessage();
            throw new FormatException(message, e);
        }
        for (Manifest.TensorRecord t : dcz.manifest().tensors()) {
            String source = dcz.source(t);
            if (!restored.contains(t.name())) {
                throw new FormatException(source + ": no initializer of " + DczFormat.GRAPH + " refers to it");
            }
            Tensor initializer = model.graph().initializers().get(t.name());
            long[] dims = t.dims().stream().mapToLong(Long::longValue).toArray();
            DczTensor tensor = dcz.archive().tensor(t.name()).orElseThrow();
            DataType type = tensor.elementType(source);
            if (initializer == null || initializer.dtype() != type || !Arrays.equals(initializer.dims(), dims)) {
                throw new FormatException(source + ": " + DczFormat.GRAPH + " declares it as "
                        + (initializer == null ? "no initializer of the main graph"
                        : initializer.dtype().displayName() + Arrays.toString(initializer.dims()))
                        + ", the manifest as " + type.displayName() + Arrays.toString(dims));
            }
            if (tensor.encoding().int8()) {
                String problem = int8Problem(model, tensor, source);
                if (problem != null) {
                    throw new FormatException(problem);
                }
            }
        }
        return model;
    }
}
