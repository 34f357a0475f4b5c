// Reads an ONNX ModelProto (file or bytes) into the immutable IR, validating everything it reads.
package dev.condense.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Parser;
import dev.condense.ir.Attribute;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.GraphValidator;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.proto.Onnx;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * ONNX to IR. Everything read from the file is checked before it is trusted: protobuf parsing runs
 * with size and recursion limits, tensor byte counts are computed with overflow checks and
 * compared with the bytes present, external data stays inside the model's folder, every op must
 * exist in ONNX at the model's opset, and the graph's wiring is validated. Any failure is one
 * {@link ModelLoadException}; no partially built graph escapes.
 */
public final class OnnxReader {

    /** Largest model file read into memory; larger weights must use external data (as ONNX requires past 2 GB). */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;
    /** Nesting depth of protobuf messages (subgraphs in attributes); CNN exports need a handful. */
    public static final int RECURSION_LIMIT = 64;
    /** Nesting depth of subgraphs (If/Loop bodies) the importer follows. */
    public static final int MAX_SUBGRAPH_DEPTH = 8;

    private final Set<Path> externalFiles = new java.util.LinkedHashSet<>();
    private final ExternalTensorSource external;
    private int opset;
    private Set<String> declaredDomains = Set.of();

    /** A reader that resolves external data as files in {@code baseDir} (null: the model came from memory). */
    private OnnxReader(Path baseDir) {
        this.external = (tensor, location, offset, length, expectedSize) ->
                ExternalData.read(baseDir, externalFiles, tensor, location, offset, length, expectedSize);
    }

    private OnnxReader(ExternalTensorSource external) {
        this.external = external;
    }

    /**
     * A model read from a file, with the external data files it uses.
     *
     * @param bytesOnDisk the model file's size plus the sizes of its external data files
     */
    public record Loaded(Model model, List<Path> externalFiles, long bytesOnDisk) {
        public Loaded {
            externalFiles = List.copyOf(externalFiles);
        }
    }

    /** Reads a model file; external data is looked up in the file's folder. */
    public static Model read(Path file) throws ModelLoadException {
        return load(file).model();
    }

    /** Reads a model file and reports which external data files it uses and its size on disk. */
    public static Loaded load(Path file) throws ModelLoadException {
        byte[] bytes = readFile(file, "model file");
        Path dir = file.toAbsolutePath().getParent();
        OnnxReader reader = new OnnxReader(dir);
        Model model = reader.convert(bytes, file.getFileName().toString());
        long total = bytes.length;
        for (Path p : reader.externalFiles) {
            try {
                total = Math.addExact(total, Files.size(p));
            } catch (IOException e) {
                throw new ModelLoadException("cannot read the size of external data file " + p + ": " + e.getMessage(), e);
            }
        }
        return new Loaded(model, new ArrayList<>(reader.externalFiles), total);
    }

    /**
     * Reads a model from bytes.
     *
     * @param baseDir folder for external data, or null when the model has none
     * @param source  how messages name the model (a file name)
     */
    public static Model read(byte[] bytes, Path baseDir, String source) throws ModelLoadException {
        return new OnnxReader(baseDir).convert(bytes, source);
    }

    /**
     * Reads a model from bytes whose external tensor data comes from {@code external} rather than
     * from files: how a container that keeps the graph and the weights apart restores the weights.
     *
     * @param source how messages name the model
     */
    public static Model readWithExternal(byte[] bytes, ExternalTensorSource external, String source) throws ModelLoadException {
        return new OnnxReader(java.util.Objects.requireNonNull(external, "external")).convert(bytes, source);
    }

    /**
     * Reads a file holding one ONNX TensorProto, as the ONNX test data's {@code input_0.pb} and
     * {@code output_0.pb} do. The tensor keeps the name stored in the file ("" when it has none);
     * its data must be inline (raw_data or the typed fields), since a lone tensor has no model
     * folder to resolve external data against. Messages name the file by its path.
     */
    public static Tensor readTensor(Path file) throws ModelLoadException {
        return readTensor(readFile(file, "tensor file"), file.toString());
    }

    /**
     * Reads one ONNX TensorProto from bytes, with the checks of {@link #readTensor(Path)}.
     *
     * @param source how messages name the tensor file
     */
    public static Tensor readTensor(byte[] bytes, String source) throws ModelLoadException {
        Onnx.TensorProto proto = parse(bytes, source, "ONNX TensorProto", Onnx.TensorProto.parser());
        return withSource(source, () -> {
            if (proto.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
                throw new ModelLoadException("tensor '" + proto.getName() + "' keeps its data in an external file;"
                        + " a tensor file read on its own must hold its data inline (raw_data or the typed fields)");
            }
            return new OnnxReader((Path) null).convertTensor(proto);
        });
    }

    private Model convert(byte[] bytes, String source) throws ModelLoadException {
        Onnx.ModelProto proto = parse(bytes, source);
        return withSource(source, () -> convertModel(proto));
    }

    /** A conversion of parsed protobuf into the IR, which may fail on what it reads. */
    private interface Conversion<T> {
        T run() throws ModelLoadException;
    }

    /** Runs {@code conversion}, prefixing any failure with {@code source} and reporting overflowing sizes as one. */
    private static <T> T withSource(String source, Conversion<T> conversion) throws ModelLoadException {
        try {
            return conversion.run();
        } catch (ModelLoadException e) {
            throw new ModelLoadException(source + ": " + e.getMessage(), e.getCause());
        } catch (ArithmeticException e) {
            throw new ModelLoadException(source + ": a size computed from the file overflows (" + e.getMessage() + ")", e);
        }
    }

    /** The bytes of a model or tensor file; {@code what} ("model file", "tensor file") names it in messages. */
    static byte[] readFile(Path file, String what) throws ModelLoadException {
        try {
            if (Files.isDirectory(file)) {
                throw new ModelLoadException(file + " is a folder, not an ONNX " + what);
            }
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new ModelLoadException(file + " is " + size + " bytes; an ONNX file over 2 GB must keep its weights"
                        + " in external data files" + (what.equals("model file") ? "" : ", which a lone tensor file cannot"));
            }
            if (size == 0) {
                throw new ModelLoadException(file + " is empty");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException(what + " " + file + " does not exist", e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a ModelProto with explicit limits; garbage and truncation become one clear error. */
    static Onnx.ModelProto parse(byte[] bytes, String source) throws ModelLoadException {
        Onnx.ModelProto proto = parse(bytes, source, "ONNX protobuf", Onnx.ModelProto.parser());
        if (!proto.hasGraph()) {
            throw new ModelLoadException(source + " is not an ONNX model: it has no graph"
                    + (bytes.length < 64 ? " (" + bytes.length + " bytes)" : ""));
        }
        return proto;
    }

    /**
     * Parses one message with explicit size and recursion limits; garbage and truncation become one
     * clear error saying {@code source} is not a valid {@code kind} file.
     */
    private static <T> T parse(byte[] bytes, String source, String kind, Parser<T> parser) throws ModelLoadException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        in.enableAliasing(true); // raw_data then aliases the file's bytes instead of being copied
        in.setRecursionLimit(RECURSION_LIMIT);
        in.setSizeLimit(bytes.length);
        try {
            T proto = parser.parseFrom(in);
            in.checkLastTagWas(0);
            return proto;
        } catch (IOException e) {
            String why = e.getMessage() != null && e.getMessage().contains("recursion")
                    ? "message nesting exceeds " + RECURSION_LIMIT + " levels"
                    : e.getMessage();
            throw new ModelLoadException(source + " is not a valid " + kind + " file (" + bytes.length + " bytes): "
                    + why, e);
        } catch (RuntimeException e) {
            // protobuf signals some malformed inputs (e.g. bad UTF-8 in lazily decoded strings) unchecked
            throw new ModelLoadException(source + " is not a valid " + kind + " file: " + e, e);
        }
    }

    // ---- model ----

    private Model convertModel(Onnx.ModelProto p) throws ModelLoadException {
        Map<String, Long> opsets = new LinkedHashMap<>();
        for (Onnx.OperatorSetIdProto o : p.getOpsetImportList()) {
            String domain = o.getDomain().equals("ai.onnx") ? "" : o.getDomain();
            opsets.put(domain, o.getVersion());
        }
        if (p.getOpsetImportCount() == 0) {
            throw new ModelLoadException("the model declares no opset_import (ONNX IR version " + p.getIrVersion()
                    + "); Condense reads default-domain opsets " + Model.MIN_OPSET + " to " + Model.MAX_OPSET);
        }
        Long defaultOpset = opsets.get("");
        if (defaultOpset == null) {
            throw new ModelLoadException("the model imports no version of the default ONNX domain (it imports "
                    + opsets.keySet() + ")");
        }
        if (defaultOpset < Model.MIN_OPSET || defaultOpset > Model.MAX_OPSET) {
            throw new ModelLoadException("the model uses opset " + defaultOpset + " of the default ONNX domain;"
                    + " Condense reads opsets " + Model.MIN_OPSET + " to " + Model.MAX_OPSET
                    + (defaultOpset < Model.MIN_OPSET ? " (re-export it with a newer exporter)" : ""));
        }
        opset = defaultOpset.intValue();
        declaredDomains = new HashSet<>(opsets.keySet());
        Onnx.GraphProto main = p.getFunctionsCount() > 0 ? FunctionInliner.inline(p, defaultOpset) : p.getGraph();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Onnx.StringStringEntryProto e : p.getMetadataPropsList()) {
            metadata.put(e.getKey(), e.getValue());
        }
        Graph graph = convertGraph(main, 0, Set.of());
        Model model = new Model(p.getIrVersion(), opsets, p.getProducerName(), p.getProducerVersion(),
                p.getDocString(), metadata, graph);
        return LegacyOpsetUpgrade.apply(model);
    }

    // ---- graph ----

    private Graph convertGraph(Onnx.GraphProto g, int depth, Set<String> outerScope) throws ModelLoadException {
        if (depth > MAX_SUBGRAPH_DEPTH) {
            throw new ModelLoadException("subgraphs are nested deeper than " + MAX_SUBGRAPH_DEPTH + " levels");
        }
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        for (Onnx.TensorProto t : g.getInitializerList()) {
            Tensor tensor = convertTensor(t);
            if (tensor.name().isEmpty()) {
                throw new ModelLoadException("graph '" + g.getName() + "' has an initializer without a name");
            }
            if (initializers.putIfAbsent(tensor.name(), tensor) != null) {
                throw new ModelLoadException("initializer '" + tensor.name() + "' is defined twice");
            }
        }
        if (g.getSparseInitializerCount() > 0) {
            throw new ModelLoadException("graph '" + g.getName() + "' has " + g.getSparseInitializerCount()
                    + " sparse initializers; Condense reads dense initializers only");
        }
        List<ValueInfo> inputs = new ArrayList<>();
        for (Onnx.ValueInfoProto v : g.getInputList()) {
            // Before IR 4 every initializer was also listed as an input; such inputs are constants here.
            if (!initializers.containsKey(v.getName())) {
                inputs.add(convertValueInfo(v, "graph input"));
            }
        }
        List<ValueInfo> outputs = new ArrayList<>();
        for (Onnx.ValueInfoProto v : g.getOutputList()) {
            outputs.add(convertValueInfo(v, "graph output"));
        }
        Map<String, ValueInfo> valueInfo = new LinkedHashMap<>();
        for (Onnx.ValueInfoProto v : g.getValueInfoList()) {
            // value_info is a hint; entries without a tensor type say nothing Condense can use.
            if (v.hasType() && v.getType().hasTensorType()
                    && DataType.fromOnnx(v.getType().getTensorType().getElemType()).isPresent()) {
                valueInfo.put(v.getName(), convertValueInfo(v, "value_info"));
            }
        }

        Set<String> scope = new HashSet<>(outerScope);
        inputs.forEach(v -> scope.add(v.name()));
        scope.addAll(initializers.keySet());
        for (Onnx.NodeProto n : g.getNodeList()) {
            scope.addAll(n.getOutputList());
        }

        List<Node> nodes = new ArrayList<>(g.getNodeCount());
        int index = 0;
        for (Onnx.NodeProto np : g.getNodeList()) {
            Node node = convertNode(np, index++, depth, scope);
            if (node.isDefaultDomain() && node.opType().equals("Constant")) {
                Tensor value = constantValue(node);
                if (initializers.putIfAbsent(value.name(), value) != null) {
                    throw new ModelLoadException(node.describe() + " defines '" + value.name()
                            + "', which is already an initializer");
                }
            } else {
                nodes.add(node);
            }
        }
        Graph graph = new Graph(g.getName(), nodes, inputs, outputs, initializers, valueInfo);
        return GraphValidator.validate(graph, outerScope);
    }

    private ValueInfo convertValueInfo(Onnx.ValueInfoProto v, String role) throws ModelLoadException {
        String name = v.getName();
        if (name.isEmpty()) {
            throw new ModelLoadException("a " + role + " has no name");
        }
        if (!v.hasType()) {
            throw new ModelLoadException(role + " '" + name + "' has no type");
        }
        Onnx.TypeProto type = v.getType();
        if (!type.hasTensorType()) {
            String kind = switch (type.getValueCase()) {
                case SEQUENCE_TYPE -> "a sequence";
                case MAP_TYPE -> "a map";
                case OPTIONAL_TYPE -> "an optional";
                case SPARSE_TENSOR_TYPE -> "a sparse tensor";
                default -> "of no type";
            };
            throw new ModelLoadException(role + " '" + name + "' is " + kind + "; Condense handles tensor values only");
        }
        Onnx.TypeProto.Tensor tt = type.getTensorType();
        DataType dtype = dataType(tt.getElemType(), role + " '" + name + "'");
        if (!tt.hasShape()) {
            return ValueInfo.unknownShape(name, dtype);
        }
        List<Dim> dims = new ArrayList<>(tt.getShape().getDimCount());
        for (Onnx.TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
            switch (d.getValueCase()) {
                case DIM_VALUE -> {
                    if (d.getDimValue() < 0) {
                        throw new ModelLoadException(role + " '" + name + "' has a negative dimension " + d.getDimValue());
                    }
                    dims.add(Dim.of(d.getDimValue()));
                }
                case DIM_PARAM -> dims.add(d.getDimParam().isEmpty() ? Dim.UNKNOWN : Dim.symbol(d.getDimParam()));
                default -> dims.add(Dim.UNKNOWN);
            }
        }
        return ValueInfo.of(name, dtype, dims);
    }

    // ---- nodes and attributes ----

    private Node convertNode(Onnx.NodeProto n, int index, int depth, Set<String> scope) throws ModelLoadException {
        String domain = n.getDomain().equals("ai.onnx") ? "" : n.getDomain();
        Node shell = new Node(n.getName(), n.getOpType(), domain, n.getInputList(), n.getOutputList(), Map.of());
        String where = shell.describe() + " (node #" + index + ")";
        if (n.getOpType().isEmpty()) {
            throw new ModelLoadException("node #" + index + " '" + n.getName() + "' has no op_type");
        }
        if (n.getOutputCount() == 0) {
            throw new ModelLoadException(where + " has no outputs");
        }
        if (domain.isEmpty()) {
            OptionalInt since = OnnxOps.since(n.getOpType());
            if (since.isEmpty()) {
                throw new ModelLoadException(where + ": '" + n.getOpType() + "' is not an ONNX operator"
                        + " (default domain, model opset " + opset + ")");
            }
            if (since.getAsInt() > opset) {
                throw new ModelLoadException(where + ": " + n.getOpType() + " exists from opset " + since.getAsInt()
                        + " on, but the model imports opset " + opset);
            }
        } else if (!declaredDomains.contains(domain)) {
            throw new ModelLoadException(where + " is in domain '" + domain
                    + "', which the model does not import (it imports " + declaredDomains.stream()
                    .map(d -> d.isEmpty() ? "the default domain" : "'" + d + "'")
                    .collect(java.util.stream.Collectors.joining(", ")) + ")");
        }
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        for (Onnx.AttributeProto a : n.getAttributeList()) {
            if (a.getName().isEmpty()) {
                throw new ModelLoadException(where + " has an attribute without a name");
            }
            if (attrs.put(a.getName(), convertAttribute(a, where, depth, scope)) != null) {
                throw new ModelLoadException(where + " has attribute '" + a.getName() + "' twice");
            }
        }
        return new Node(n.getName(), n.getOpType(), domain, n.getInputList(), n.getOutputList(), attrs);
    }

    private Attribute convertAttribute(Onnx.AttributeProto a, String where, int depth, Set<String> scope)
            throws ModelLoadException {
        if (!a.getRefAttrName().isEmpty()) {
            throw new ModelLoadException(where + ": attribute '" + a.getName() + "' refers to function attribute '"
                    + a.getRefAttrName() + "', which only functions may do");
        }
        Onnx.AttributeProto.AttributeType type = a.hasType() ? a.getType() : inferAttributeType(a);
        return switch (type) {
            case FLOAT -> new Attribute.FloatValue(a.getF());
            case INT -> new Attribute.IntValue(a.getI());
            case STRING -> new Attribute.StringValue(utf8(a.getS(), where, a.getName()));
            case TENSOR -> new Attribute.TensorValue(convertTensor(a.getT()));
            case GRAPH -> new Attribute.GraphValue(convertGraph(a.getG(), depth + 1, scope));
            case FLOATS -> {
                float[] v = new float[a.getFloatsCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = a.getFloats(i);
                }
                yield new Attribute.Floats(v);
            }
            case INTS -> {
                long[] v = new long[a.getIntsCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = a.getInts(i);
                }
                yield new Attribute.Ints(v);
            }
            case STRINGS -> {
                List<String> v = new ArrayList<>(a.getStringsCount());
                for (ByteString s : a.getStringsList()) {
                    v.add(utf8(s, where, a.getName()));
                }
                yield new Attribute.Strings(v);
            }
            case TENSORS -> {
                List<Tensor> v = new ArrayList<>(a.getTensorsCount());
                for (Onnx.TensorProto t : a.getTensorsList()) {
                    v.add(convertTensor(t));
                }
                yield new Attribute.Tensors(v);
            }
            case GRAPHS -> {
                List<Graph> v = new ArrayList<>(a.getGraphsCount());
                for (Onnx.GraphProto g : a.getGraphsList()) {
                    v.add(convertGraph(g, depth + 1, scope));
                }
                yield new Attribute.Graphs(v);
            }
            default -> throw new ModelLoadException(where + ": attribute '" + a.getName() + "' has type "
                    + type + ", which Condense does not read (it reads FLOAT, INT, STRING, TENSOR, GRAPH and their lists)");
        };
    }

    /** Files written before the type field existed say the type by which field is set. */
    private static Onnx.AttributeProto.AttributeType inferAttributeType(Onnx.AttributeProto a) {
        if (a.hasF()) {
            return Onnx.AttributeProto.AttributeType.FLOAT;
        } else if (a.hasI()) {
            return Onnx.AttributeProto.AttributeType.INT;
        } else if (a.hasS()) {
            return Onnx.AttributeProto.AttributeType.STRING;
        } else if (a.hasT()) {
            return Onnx.AttributeProto.AttributeType.TENSOR;
        } else if (a.hasG()) {
            return Onnx.AttributeProto.AttributeType.GRAPH;
        } else if (a.getFloatsCount() > 0) {
            return Onnx.AttributeProto.AttributeType.FLOATS;
        } else if (a.getIntsCount() > 0) {
            return Onnx.AttributeProto.AttributeType.INTS;
        } else if (a.getStringsCount() > 0) {
            return Onnx.AttributeProto.AttributeType.STRINGS;
        } else if (a.getTensorsCount() > 0) {
            return Onnx.AttributeProto.AttributeType.TENSORS;
        } else if (a.getGraphsCount() > 0) {
            return Onnx.AttributeProto.AttributeType.GRAPHS;
        }
        return Onnx.AttributeProto.AttributeType.UNDEFINED;
    }

    private static String utf8(ByteString s, String where, String attr) throws ModelLoadException {
        if (!s.isValidUtf8()) {
            throw new ModelLoadException(where + ": attribute '" + attr + "' is not valid UTF-8");
        }
        return s.toString(StandardCharsets.UTF_8);
    }

    /** The tensor a Constant node defines, named after its output. */
    private Tensor constantValue(Node node) throws ModelLoadException {
        if (node.outputs().size() != 1 || node.attributes().size() != 1) {
            throw new ModelLoadException(node.describe() + " must have exactly one output and one value attribute"
                    + " (value, value_float, value_floats, value_int, value_ints); it has " + node.outputs().size()
                    + " outputs and attributes " + node.attributes().keySet());
        }
        String out = node.output();
        Map.Entry<String, Attribute> e = node.attributes().entrySet().iterator().next();
        Tensor t = switch (e.getValue()) {
            case Attribute.TensorValue(Tensor v) when e.getKey().equals("value") -> v.withName(out);
            case Attribute.FloatValue(float v) when e.getKey().equals("value_float") -> Tensor.scalar(out, v);
            case Attribute.Floats f when e.getKey().equals("value_floats") ->
                    Tensor.ofFloats(out, new long[] {f.values().length}, f.values());
            case Attribute.IntValue(long v) when e.getKey().equals("value_int") -> Tensor.ofLongs(out, new long[0], v);
            case Attribute.Ints v when e.getKey().equals("value_ints") -> Tensor.vector(out, v.values());
            default -> throw new ModelLoadException(node.describe() + ": attribute '" + e.getKey() + "' of type "
                    + e.getValue().typeName() + " is not a value Condense reads for Constant (value, value_float,"
                    + " value_floats, value_int, value_ints)");
        };
        return t;
    }

    // ---- tensors ----

    private static DataType dataType(int code, String what) throws ModelLoadException {
        return DataType.fromOnnx(code).orElseThrow(() -> new ModelLoadException(what + " has element type "
                + DataType.onnxName(code) + ", which Condense does not hold (it holds " + DataType.supportedList() + ")"));
    }

    private Tensor convertTensor(Onnx.TensorProto t) throws ModelLoadException {
        String name = t.getName();
        String what = "tensor '" + name + "'";
        DataType dtype = dataType(t.getDataType(), what);
        long[] dims = new long[t.getDimsCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getDims(i);
            if (dims[i] < 0) {
                throw new ModelLoadException(what + " has a negative dimension " + dims[i] + " in " + t.getDimsList());
            }
        }
        if (t.hasSegment()) {
            throw new ModelLoadException(what + " is a segment of a larger tensor; Condense reads whole tensors");
        }
        long count;
        long bytes;
        try {
            count = Tensor.elementCount(dims);
            bytes = Math.multiplyExact(count, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new ModelLoadException(what + " has dimensions " + t.getDimsList() + " whose product overflows");
        }
        MemorySegment data;
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            String location = "";
            long offset = -1;
            long length = -1;
            for (Onnx.StringStringEntryProto e : t.getExternalDataList()) {
                switch (e.getKey()) {
                    case "location" -> location = e.getValue();
                    case "offset" -> offset = parseLong(e.getValue(), what, "offset");
                    case "length" -> length = parseLong(e.getValue(), what, "length");
                    default -> {
                        // "checksum" and producer-specific keys are informational.
                    }
                }
            }
            data = external.read(name, location, offset, length, bytes);
            if (data.byteSize() != bytes) {
                throw new ModelLoadException(what + " needs " + bytes + " bytes but its external data source gave "
                        + data.byteSize());
            }
        } else if (t.hasRawData()) {
            ByteString raw = t.getRawData();
            if (raw.size() != bytes) {
                throw new ModelLoadException(what + " " + dtype + t.getDimsList() + " needs " + bytes
                        + " bytes of raw_data but has " + raw.size());
            }
            data = MemorySegment.ofBuffer(raw.asReadOnlyByteBuffer());
        } else {
            data = typedData(t, dtype, count, what);
        }
        return new Tensor(name, dtype, dims, data);
    }

    private static long parseLong(String value, String what, String key) throws ModelLoadException {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) {
                throw new ModelLoadException(what + ": external data " + key + " " + v + " is negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ModelLoadException(what + ": external data " + key + " '" + value + "' is not a number");
        }
    }

    /** Data in the typed repeated fields, converted to the raw little-endian layout. */
    private static MemorySegment typedData(Onnx.TensorProto t, DataType dtype, long count, String what)
            throws ModelLoadException {
        int present = switch (dtype) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            case UINT32, UINT64 -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
        if (present != count) {
            String field = switch (dtype) {
                case FLOAT -> "float_data";
                case DOUBLE -> "double_data";
                case INT64 -> "int64_data";
                case UINT32, UINT64 -> "uint64_data";
                default -> "int32_data";
            };
            throw new ModelLoadException(what + " " + dtype + t.getDimsList() + " has " + count + " elements but "
                    + present + " values in " + field + (present == 0 ? " and no raw_data" : ""));
        }
        int n = (int) count;
        MemorySegment seg = MemorySegment.ofArray(new byte[Math.multiplyExact(n, dtype.byteSize())]);
        for (int i = 0; i < n; i++) {
            switch (dtype) {
                case FLOAT -> seg.setAtIndex(Tensor.FLOAT_LE, i, t.getFloatData(i));
                case DOUBLE -> seg.setAtIndex(Tensor.DOUBLE_LE, i, t.getDoubleData(i));
                case INT64 -> seg.setAtIndex(Tensor.LONG_LE, i, t.getInt64Data(i));
                case UINT64 -> seg.setAtIndex(Tensor.LONG_LE, i, t.getUint64Data(i));
                case UINT32 -> seg.setAtIndex(Tensor.INT_LE, i, (int) t.getUint64Data(i));
                case INT32 -> seg.setAtIndex(Tensor.INT_LE, i, t.getInt32Data(i));
                case INT16, UINT16, FLOAT16, BFLOAT16 -> seg.setAtIndex(Tensor.SHORT_LE, i, (short) t.getInt32Data(i));
                case INT8, UINT8 -> seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) t.getInt32Data(i));
                case BOOL -> seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (t.getInt32Data(i) != 0 ? 1 : 0));
            }
        }
        return seg;
    }
}
