// Writes the IR back to an ONNX ModelProto, in memory or to a file, optionally with external data.
package dev.condense.onnx;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnsafeByteOperations;
import dev.condense.ir.Attribute;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.proto.Onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * IR to ONNX. Files are written safely: into temporary files beside the target that are renamed
 * into place once complete, so a failure leaves neither a half-written model nor a half-written
 * data file, and an existing file is replaced only by a complete one.
 */
public final class OnnxWriter {

    /** protobuf's hard limit on one message. */
    private static final long MAX_MESSAGE_BYTES = Integer.MAX_VALUE;

    /**
     * How tensors are stored.
     *
     * @param externalDataFile  when present, initializers of at least {@code externalThreshold} bytes go to this
     *                          file (a plain name, written beside the model)
     * @param externalThreshold smallest tensor, in bytes, moved to external data
     */
    public record Options(Optional<String> externalDataFile, long externalThreshold) {
        public Options {
            Objects.requireNonNull(externalDataFile);
            externalDataFile.ifPresent(OnnxWriter::checkPlainFileName);
            if (externalThreshold < 0) {
                throw new IllegalArgumentException("externalThreshold must be >= 0, got " + externalThreshold);
            }
        }

        /** Every tensor inside the model file. */
        public static Options inline() {
            return new Options(Optional.empty(), 0);
        }

        /** Tensors of 1 KiB and more in {@code fileName}, beside the model. */
        public static Options external(String fileName) {
            return new Options(Optional.of(fileName), 1024);
        }
    }

    private OnnxWriter() {
    }

    /** The model as ONNX bytes, every tensor inline (what ONNX Runtime loads from memory). */
    public static byte[] toBytes(Model model) {
        return toBytes(model, Map.of());
    }

    /**
     * The model as ONNX bytes in which each initializer of the main graph named in {@code detached}
     * is a reference without bytes: {@code data_location = EXTERNAL} with the keys {@code location}
     * (the map's value) and {@code length} (its byte size). The caller stores those tensors
     * elsewhere and gives them back through an {@link ExternalTensorSource} when reading. Every
     * other tensor is inline.
     */
    public static byte[] toBytes(Model model, Map<String, String> detached) {
        for (String name : detached.keySet()) {
            if (!model.graph().initializers().containsKey(name)) {
                throw new IllegalArgumentException("cannot detach '" + name + "': the graph has no such initializer");
            }
        }
        Placement placement = detached.isEmpty() ? null : t -> {
            String location = detached.get(t.name());
            // Only the main graph's tensor of that name: a subgraph may reuse the name for another tensor.
            if (location == null || model.graph().initializers().get(t.name()) != t) {
                return null;
            }
            return List.of(entry("location", location), entry("length", Long.toString(t.byteSize())));
        };
        Onnx.ModelProto proto = toProto(model, placement);
        if (proto.getSerializedSize() < 0 || proto.getSerializedSize() > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("the model is larger than 2 GB, protobuf's limit for one message;"
                    + " write it to a file with external data");
        }
        return proto.toByteArray();
    }

    /** Writes the model to {@code file} (and its external data file beside it, when asked). */
    public static void write(Model model, Path file, Options options) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmpModel = dev.condense.io.TemporaryFiles.beside(dir, target.getFileName().toString());
        Path tmpData = null;
        try {
            ExternalSink sink = null;
            if (options.externalDataFile().isPresent()) {
                String dataName = options.externalDataFile().get();
                if (dir.resolve(dataName).equals(target)) {
                    throw new IllegalArgumentException("the external data file '" + dataName
                            + "' cannot be the model file itself");
                }
                tmpData = dev.condense.io.TemporaryFiles.beside(dir, dataName);
                sink = new ExternalSink(dataName, options.externalThreshold(),
                        FileChannel.open(tmpData, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
            }
            Onnx.ModelProto proto;
            try (ExternalSink s = sink) {
                proto = toProtoChecked(model, s);
            }
            if (proto.getSerializedSize() < 0 || proto.getSerializedSize() > MAX_MESSAGE_BYTES) {
                throw new IOException("the model is larger than 2 GB, protobuf's limit for one message;"
                        + " write it with external data (e.g. --external-data)");
            }
            writeMessage(proto, tmpModel);
            if (tmpData != null && sink.bytesWritten() > 0) {
                Files.move(tmpData, dir.resolve(options.externalDataFile().get()),
                        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                tmpData = null;
            }
            Files.move(tmpModel, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmpModel = null;
        } finally {
            if (tmpModel != null) {
                Files.deleteIfExists(tmpModel);
            }
            if (tmpData != null) {
                Files.deleteIfExists(tmpData);
            }
        }
    }

    /**
     * Writes {@code tensor} to {@code file} as one ONNX TensorProto (the form of the ONNX test data's
     * {@code .pb} files, which {@link OnnxReader#readTensor(Path)} reads), its bytes inline as
     * raw_data, through a temporary file renamed into place as model files are.
     */
    public static void writeTensor(Tensor tensor, Path file) throws IOException {
        Onnx.TensorProto proto = tensor(tensor, null);
        if (proto.getSerializedSize() < 0 || proto.getSerializedSize() > MAX_MESSAGE_BYTES) {
            throw new IOException("tensor '" + tensor.name() + "' " + tensor.dtype() + Arrays.toString(tensor.dims())
                    + " is larger than 2 GB, protobuf's limit for one message");
        }
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = dev.condense.io.TemporaryFiles.beside(dir, target.getFileName().toString());
        try {
            writeMessage(proto, tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void writeMessage(MessageLite proto, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            CodedOutputStream cos = CodedOutputStream.newInstance(out, 1 << 16);
            proto.writeTo(cos);
            cos.flush();
        }
    }

    private static void checkPlainFileName(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("external data file must be a plain file name, got '" + name + "'");
        }
    }

    /** Decides which initializers are stored outside the ModelProto, and where. */
    private interface Placement {
        /** The external_data entries of {@code t} once placed outside, or null to keep it inline. */
        List<Onnx.StringStringEntryProto> place(Tensor t) throws IOException;
    }

    /** Appends large tensors to the external data file and records where each went. */
    private static final class ExternalSink implements Placement, AutoCloseable {
        private final String location;
        private final long threshold;
        private final FileChannel channel;
        private long offset;

        ExternalSink(String location, long threshold, FileChannel channel) {
            this.location = location;
            this.threshold = threshold;
            this.channel = channel;
        }

        boolean wants(Tensor t) {
            return t.byteSize() >= threshold && t.byteSize() > 0;
        }

        @Override
        public List<Onnx.StringStringEntryProto> place(Tensor t) throws IOException {
            if (!wants(t)) {
                return null;
            }
            long at = append(t);
            return List.of(entry("location", location), entry("offset", Long.toString(at)),
                    entry("length", Long.toString(t.byteSize())));
        }

        /** Writes the bytes and returns their offset; offsets are 64-byte aligned so mappings stay aligned. */
        long append(Tensor t) throws IOException {
            long aligned = (offset + 63) & ~63L;
            if (aligned > offset) {
                channel.write(java.nio.ByteBuffer.allocate((int) (aligned - offset)), offset);
            }
            java.nio.ByteBuffer buf = t.data().asByteBuffer();
            long pos = aligned;
            while (buf.hasRemaining()) {
                pos += channel.write(buf, pos);
            }
            offset = pos;
            return aligned;
        }

        long bytesWritten() {
            return offset;
        }

        @Override
        public void close() throws IOException {
            channel.force(false);
            channel.close();
        }
    }

    // ---- conversion ----

    private static Onnx.ModelProto toProto(Model model, Placement sink) {
        try {
            return toProtoChecked(model, sink);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing in memory cannot fail", e);
        }
    }

    private static Onnx.ModelProto toProtoChecked(Model model, Placement sink) throws IOException {
        Onnx.ModelProto.Builder b = Onnx.ModelProto.newBuilder()
                // IR 4 at least: from then on initializers need not be listed as graph inputs.
                .setIrVersion(Math.max(model.irVersion(), Model.irVersionFor(model.opset())))
                .setProducerName(model.producerName())
                .setProducerVersion(model.producerVersion());
        if (!model.docString().isEmpty()) {
            b.setDocString(model.docString());
        }
        for (Map.Entry<String, Long> e : model.opsets().entrySet()) {
            b.addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain(e.getKey()).setVersion(e.getValue()));
        }
        for (Map.Entry<String, String> e : model.metadata().entrySet()) {
            b.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        b.setGraph(graph(model.graph(), sink));
        return b.build();
    }

    private static Onnx.GraphProto graph(Graph g, Placement sink) throws IOException {
        Onnx.GraphProto.Builder b = Onnx.GraphProto.newBuilder().setName(g.name());
        for (Node n : g.nodes()) {
            b.addNode(node(n, sink));
        }
        for (Tensor t : g.initializers().values()) {
            b.addInitializer(tensor(t, sink));
        }
        for (ValueInfo v : g.inputs()) {
            b.addInput(valueInfo(v));
        }
        for (ValueInfo v : g.outputs()) {
            b.addOutput(valueInfo(v));
        }
        for (ValueInfo v : g.valueInfo().values()) {
            b.addValueInfo(valueInfo(v));
        }
        return b.build();
    }

    private static Onnx.NodeProto node(Node n, Placement sink) throws IOException {
        Onnx.NodeProto.Builder b = Onnx.NodeProto.newBuilder()
                .setOpType(n.opType())
                .addAllInput(n.inputs())
                .addAllOutput(n.outputs());
        if (!n.name().isEmpty()) {
            b.setName(n.name());
        }
        if (!n.domain().isEmpty()) {
            b.setDomain(n.domain());
        }
        for (Map.Entry<String, Attribute> e : n.attributes().entrySet()) {
            b.addAttribute(attribute(e.getKey(), e.getValue(), sink));
        }
        return b.build();
    }

    private static Onnx.AttributeProto attribute(String name, Attribute a, Placement sink) throws IOException {
        Onnx.AttributeProto.Builder b = Onnx.AttributeProto.newBuilder().setName(name);
        switch (a) {
            case Attribute.FloatValue(float v) -> b.setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(v);
            case Attribute.IntValue(long v) -> b.setType(Onnx.AttributeProto.AttributeType.INT).setI(v);
            case Attribute.StringValue(String v) -> b.setType(Onnx.AttributeProto.AttributeType.STRING)
                    .setS(ByteString.copyFrom(v, StandardCharsets.UTF_8));
            // Attribute tensors stay inline: external data is for initializers.
            case Attribute.TensorValue(Tensor v) -> b.setType(Onnx.AttributeProto.AttributeType.TENSOR).setT(tensor(v, null));
            case Attribute.GraphValue(Graph v) -> b.setType(Onnx.AttributeProto.AttributeType.GRAPH).setG(graph(v, sink));
            case Attribute.Floats v -> {
                b.setType(Onnx.AttributeProto.AttributeType.FLOATS);
                for (float f : v.values()) {
                    b.addFloats(f);
                }
            }
            case Attribute.Ints v -> {
                b.setType(Onnx.AttributeProto.AttributeType.INTS);
                for (long i : v.values()) {
                    b.addInts(i);
                }
            }
            case Attribute.Strings v -> {
                b.setType(Onnx.AttributeProto.AttributeType.STRINGS);
                for (String s : v.values()) {
                    b.addStrings(ByteString.copyFrom(s, StandardCharsets.UTF_8));
                }
            }
            case Attribute.Tensors v -> {
                b.setType(Onnx.AttributeProto.AttributeType.TENSORS);
                for (Tensor t : v.values()) {
                    b.addTensors(tensor(t, null));
                }
            }
            case Attribute.Graphs v -> {
                b.setType(Onnx.AttributeProto.AttributeType.GRAPHS);
                for (Graph g : v.values()) {
                    b.addGraphs(graph(g, sink));
                }
            }
        }
        return b.build();
    }

    private static Onnx.TensorProto tensor(Tensor t, Placement sink) throws IOException {
        Onnx.TensorProto.Builder b = Onnx.TensorProto.newBuilder()
                .setName(t.name())
                .setDataType(t.dtype().onnxCode());
        for (long d : t.dims()) {
            b.addDims(d);
        }
        List<Onnx.StringStringEntryProto> external = sink == null ? null : sink.place(t);
        if (external != null) {
            b.setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL).addAllExternalData(external);
        } else {
            // The tensor's bytes are immutable, so protobuf may wrap them without a copy.
            b.setRawData(UnsafeByteOperations.unsafeWrap(t.data().asByteBuffer()));
        }
        return b.build();
    }

    private static Onnx.StringStringEntryProto entry(String key, String value) {
        return Onnx.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    private static Onnx.ValueInfoProto valueInfo(ValueInfo v) {
        Onnx.TypeProto.Tensor.Builder tt = Onnx.TypeProto.Tensor.newBuilder().setElemType(v.dtype().onnxCode());
        if (v.shape().isPresent()) {
            Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
            for (Dim d : v.shape().get()) {
                Onnx.TensorShapeProto.Dimension.Builder db = Onnx.TensorShapeProto.Dimension.newBuilder();
                switch (d) {
                    case Dim.Fixed(long size) -> db.setDimValue(size);
                    case Dim.Symbolic(String symbol) -> db.setDimParam(symbol);
                    case Dim.Unknown u -> {
                        // an empty Dimension is ONNX's unknown dimension
                    }
                }
                shape.addDim(db);
            }
            tt.setShape(shape);
        }
        return Onnx.ValueInfoProto.newBuilder()
                .setName(v.name())
                .setType(Onnx.TypeProto.newBuilder().setTensorType(tt))
                .build();
    }
}
