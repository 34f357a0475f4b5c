// Feeds the importer corrupted and hostile model files and checks it fails only with a ModelLoadException, quickly and without large allocations.
package dev.condense.tests;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.condense.ir.GraphValidator;
import dev.condense.passes.Passes;
import dev.condense.shape.ShapeInference;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.proto.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded fuzzing of {@link OnnxReader#read(byte[], Path, String)}. Every case must end in a
 * {@link Model} or a {@link ModelLoadException} with a real message; any other throwable (NPE,
 * IndexOutOfBounds, ClassCast, IllegalArgument, StackOverflow, OutOfMemory) is a bug. Each case
 * must finish within {@link #CASE_LIMIT_NANOS} and allocate no more than the file justifies
 * ({@link #allocationBudget}), so a small file that claims huge tensors cannot make the importer
 * reserve memory for them.
 */
class FuzzImportTest {

    static final long SEED = 20261123L;
    /** Mutants generated from each valid source model. */
    static final int MUTANTS_PER_SOURCE = 40;
    static final long CASE_LIMIT_NANOS = 1_000_000_000L;

    /** Small, valid conformance models the mutants start from (plain ops, attributes, a Constant, If and Loop bodies). */
    static final List<String> SOURCES = List.of(
            "node/test_conv_with_strides_padding", "node/test_maxpool_2d_pads", "node/test_averagepool_2d_pads",
            "node/test_gemm_all_attributes", "node/test_batchnorm_example", "node/test_reshape_negative_dim",
            "node/test_constant", "node/test_if", "node/test_loop11",
            "pytorch-converted/test_Conv2d", "pytorch-converted/test_BatchNorm2d_eval", "pytorch-converted/test_Linear");

    /** Bytes the import of an n-byte file may allocate: the parsed messages, the IR and a fixed overhead. */
    static long allocationBudget(int fileBytes) {
        return 16L * 1024 * 1024 + 16L * fileBytes;
    }

    /** What happened to one case. */
    record Outcome(boolean imported, String message) {
    }

    private final List<String> bugs = new ArrayList<>();
    private long slowestNanos;
    private long largestAllocation;
    private String largestAllocationCase = "";
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Imports one case and records anything other than a model or a well-formed ModelLoadException. */
    Outcome importCase(String caseName, byte[] bytes) {
        String source = "fuzz-" + caseName;
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        Outcome outcome;
        try {
            Model m = OnnxReader.read(bytes, null, source);
            outcome = new Outcome(true, null);
            try {
                // whatever the importer hands out must be a graph the importer itself would accept
                GraphValidator.validate(m.graph());
            } catch (ModelLoadException e) {
                bugs.add(caseName + ": imported a graph that fails validation: " + e.getMessage());
            }
            try {
                // what comes after import must take the same mutants: a model or one clear error
                ShapeInference.infer(m);
                Passes.run(m, Passes.simplify());
            } catch (ModelLoadException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    bugs.add(caseName + ": shape inference or a pass failed without a message");
                }
            }
        } catch (ModelLoadException e) {
            outcome = new Outcome(false, e.getMessage());
            String msg = e.getMessage();
            if (msg == null || msg.isBlank() || msg.matches("[\\w.$]+") || !msg.contains(source)) {
                bugs.add(caseName + ": ModelLoadException message names neither problem nor model: '" + msg + "'");
            }
        } catch (Throwable t) {
            // A fuzzing harness must see every kind of failure, errors included, to report it with its case.
            outcome = new Outcome(false, null);
            bugs.add(caseName + ": " + t + (t.getStackTrace().length > 0 ? " at " + t.getStackTrace()[0] : ""));
        }
        long nanos = System.nanoTime() - start;
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        slowestNanos = Math.max(slowestNanos, nanos);
        if (allocated > largestAllocation) {
            largestAllocation = allocated;
            largestAllocationCase = caseName + " (" + bytes.length + " bytes)";
        }
        if (nanos > CASE_LIMIT_NANOS) {
            bugs.add(caseName + ": took " + nanos / 1_000_000 + " ms (limit " + CASE_LIMIT_NANOS / 1_000_000 + " ms)");
        }
        if (allocated > allocationBudget(bytes.length)) {
            bugs.add(caseName + ": allocated " + allocated + " bytes for a " + bytes.length + "-byte file (budget "
                    + allocationBudget(bytes.length) + ")");
        }
        return outcome;
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void mutantsOfValidModelsImportOrFailCleanly() throws IOException {
        Path root = TestData.onnxRoot();
        Map<String, byte[]> sources = new LinkedHashMap<>();
        for (String s : SOURCES) {
            sources.put(s, Files.readAllBytes(root.resolve(s).resolve("model.onnx")));
        }
        Optional<Path> lenet = TestData.findPytorchExports().map(p -> p.resolve("lenet5_opset11/model.onnx"));
        if (lenet.isPresent() && Files.isRegularFile(lenet.get())) {
            sources.put("lenet5_opset11", Files.readAllBytes(lenet.get()));
        } else {
            System.out.println("fuzz: shared/testdata/pytorch-exports not found, fuzzing conformance models only");
        }

        Random random = new Random(SEED);
        Map<String, int[]> byMutation = new LinkedHashMap<>();
        int imported = 0;
        int rejected = 0;
        int n = 0;
        for (Map.Entry<String, byte[]> src : sources.entrySet()) {
            Outcome original = importCase("original-" + src.getKey(), src.getValue());
            assertTrue(original.imported(), src.getKey() + " must import unmodified: " + original.message() + " " + bugs);
            for (int i = 0; i < MUTANTS_PER_SOURCE; i++) {
                Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
                byte[] mutant = mutation.apply(src.getValue(), random);
                Outcome o = importCase(n++ + "-" + mutation + "-" + src.getKey() + "-seed" + SEED, mutant);
                int[] counts = byMutation.computeIfAbsent(mutation.name(), k -> new int[2]);
                counts[o.imported() ? 0 : 1]++;
                if (o.imported()) {
                    imported++;
                } else {
                    rejected++;
                }
            }
        }
        StringBuilder summary = new StringBuilder();
        byMutation.forEach((k, v) -> summary.append(k).append(' ').append(v[0]).append('/').append(v[1]).append(", "));
        System.out.println("fuzz: " + n + " mutants, " + imported + " imported, " + rejected
                + " rejected (imported/rejected by mutation: " + summary + "); slowest case " + slowestNanos / 1_000_000
                + " ms, largest allocation " + largestAllocation + " bytes by " + largestAllocationCase);
        assertEquals(List.of(), bugs, "cases that ended in something other than a model or a clean ModelLoadException");
        assertTrue(n >= 400, "only " + n + " mutants");
        assertTrue(rejected > 0, "no mutant was rejected: the mutations do not reach the parser");
        assertTrue(imported > 0, "no mutant imported: everything throws");
    }

    /** Byte-level corruptions of a serialized model. */
    enum Mutation {
        TRUNCATE {
            @Override
            byte[] apply(byte[] b, Random r) {
                return Arrays.copyOf(b, r.nextInt(b.length));
            }
        },
        FLIP_BYTES {
            @Override
            byte[] apply(byte[] b, Random r) {
                byte[] out = b.clone();
                for (int k = 1 + r.nextInt(20); k > 0; k--) {
                    out[r.nextInt(out.length)] ^= (byte) (1 + r.nextInt(255));
                }
                return out;
            }
        },
        INSERT_BYTES {
            @Override
            byte[] apply(byte[] b, Random r) {
                int at = r.nextInt(b.length + 1);
                byte[] extra = new byte[1 + r.nextInt(16)];
                r.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                return out;
            }
        },
        DELETE_BYTES {
            @Override
            byte[] apply(byte[] b, Random r) {
                int at = r.nextInt(b.length);
                int len = Math.min(1 + r.nextInt(16), b.length - at);
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + len, out, at, b.length - at - len);
                return out;
            }
        },
        /** Overwrites bytes with a long varint (continuation bits set): huge lengths, tags and field values. */
        CORRUPT_VARINT {
            @Override
            byte[] apply(byte[] b, Random r) {
                byte[] out = b.clone();
                int at = r.nextInt(out.length);
                int len = Math.min(1 + r.nextInt(10), out.length - at);
                for (int k = 0; k < len - 1; k++) {
                    out[at + k] = (byte) (0x80 | r.nextInt(128));
                }
                out[at + len - 1] = (byte) r.nextInt(r.nextBoolean() ? 128 : 256);
                return out;
            }
        },
        /** Raises a length prefix: the byte after a length-delimited tag (wire type 2) gets a large value. */
        GROW_LENGTH {
            @Override
            byte[] apply(byte[] b, Random r) {
                byte[] out = b.clone();
                for (int tries = 0; tries < 64; tries++) {
                    int at = r.nextInt(out.length - 1);
                    if ((out[at] & 0x07) == 2 && (out[at + 1] & 0x80) == 0) {
                        out[at + 1] = (byte) Math.min(127, (out[at + 1] & 0x7F) + 1 + r.nextInt(64));
                        return out;
                    }
                }
                out[r.nextInt(out.length)] = (byte) 0xFF;
                return out;
            }
        };

        abstract byte[] apply(byte[] bytes, Random random);
    }

    // ---- hand-made hostile models ----

    /** A model that must be rejected, with a phrase its message must contain: the reason, not just any failure. */
    record Hostile(String name, String expectedInMessage, byte[] bytes) {
    }

    static List<Hostile> hostileModels() {
        ByteString sixteenBytes = ByteString.copyFrom(new byte[16]);
        return List.of(
                new Hostile("dims-2^31x2^31x4", "overflows",
                        withInitializer(floatTensor("W", 1L << 31, 1L << 31, 4).setRawData(sixteenBytes)).toByteArray()),
                new Hostile("huge-dims-little-raw-data", "needs 4398046511104 bytes",
                        withInitializer(floatTensor("W", 1L << 20, 1L << 20).setRawData(sixteenBytes)).toByteArray()),
                new Hostile("huge-dims-few-float-data", "2 values in float_data",
                        withInitializer(floatTensor("W", 1L << 30, 4).addFloatData(1).addFloatData(2)).toByteArray()),
                new Hostile("huge-dims-no-data", "no raw_data",
                        withInitializer(floatTensor("W", Integer.MAX_VALUE, 3)).toByteArray()),
                new Hostile("huge-int64-dims-no-data", "int64_data",
                        withInitializer(Onnx.TensorProto.newBuilder().setName("W")
                                .setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addDims(1L << 40)).toByteArray()),
                new Hostile("external-data-from-memory", "from memory",
                        withInitializer(floatTensor("W", 1L << 28, 4).setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                                .addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("location")
                                        .setValue("w.bin"))).toByteArray()),
                new Hostile("negative-initializer-dim", "negative dimension -1",
                        withInitializer(floatTensor("W", -1, 4).setRawData(sixteenBytes)).toByteArray()),
                new Hostile("negative-input-dim", "negative dimension -3",
                        model(graph().clearInput().addInput(valueInfo("X", -3))).toByteArray()),
                new Hostile("string-initializer", "STRING",
                        withInitializer(Onnx.TensorProto.newBuilder().setName("W")
                                .setDataType(Onnx.TensorProto.DataType.STRING_VALUE).addDims(1)
                                .addStringData(ByteString.copyFromUtf8("x"))).toByteArray()),
                new Hostile("undefined-element-type", "UNDEFINED",
                        withInitializer(Onnx.TensorProto.newBuilder().setName("W").addDims(4)).toByteArray()),
                new Hostile("segment-tensor", "segment",
                        withInitializer(floatTensor("W", 4).setRawData(sixteenBytes)
                                .setSegment(Onnx.TensorProto.Segment.newBuilder().setBegin(0).setEnd(2))).toByteArray()),
                // 12 levels pass protobuf's recursion limit and meet OnnxReader.MAX_SUBGRAPH_DEPTH
                new Hostile("nested-if-12", "nested deeper than", nestedIf(12)),
                new Hostile("nested-if-100", "nesting", nestedIf(100)),
                new Hostile("nested-if-1000", "nesting", nestedIf(1000)),
                new Hostile("undefined-input", "'nowhere'",
                        model(graph().setNode(0, node("Relu", "nowhere", "Y"))).toByteArray()),
                new Hostile("cycle", "cycle", model(graph().clearNode().addNode(node("Relu", "b", "a"))
                        .addNode(node("Relu", "a", "b")).addNode(node("Relu", "a", "Y"))).toByteArray()),
                new Hostile("duplicate-node-outputs", "'Y' is defined twice",
                        model(graph().addNode(node("Relu", "X", "Y"))).toByteArray()),
                new Hostile("duplicate-inputs", "'X' is defined twice",
                        model(graph().addInput(valueInfo("X", 4))).toByteArray()),
                new Hostile("unknown-op-FooBar", "'FooBar' is not an ONNX operator",
                        model(graph().setNode(0, node("FooBar", "X", "Y"))).toByteArray()),
                new Hostile("undeclared-domain", "com.foo",
                        model(graph().setNode(0, node("Relu", "X", "Y").toBuilder().setDomain("com.foo"))).toByteArray()),
                new Hostile("constant-without-value", "Constant",
                        model(graph().clearNode().addNode(node("Constant", null, "C")).addNode(Onnx.NodeProto
                                .newBuilder().setOpType("Add").addInput("X").addInput("C").addOutput("Y"))).toByteArray()),
                new Hostile("output-nothing-produces", "'Z'", model(graph().addOutput(valueInfo("Z", 4))).toByteArray()),
                new Hostile("opset-10000", "opset 10000", model(graph()).toBuilder().setOpsetImport(0,
                        Onnx.OperatorSetIdProto.newBuilder().setVersion(10_000)).build().toByteArray()),
                new Hostile("no-graph", "no graph", Onnx.ModelProto.newBuilder().setIrVersion(8)
                        .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray()),
                // field 7 (graph), length-delimited, claiming 2^32 - 1 bytes
                new Hostile("graph-length-2^32", "not a valid ONNX protobuf file",
                        new byte[] {0x3A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F, 0, 0}),
                new Hostile("empty-file", "0 bytes", new byte[0]),
                new Hostile("opset6-broadcast-float-axis", "axis", legacyBroadcast(
                        Onnx.AttributeProto.newBuilder().setName("axis").setType(Onnx.AttributeProto.AttributeType.FLOAT)
                                .setF(1).build())),
                new Hostile("opset6-broadcast-string-axis", "axis", legacyBroadcast(
                        Onnx.AttributeProto.newBuilder().setName("axis").setType(Onnx.AttributeProto.AttributeType.STRING)
                                .setS(ByteString.copyFromUtf8("1")).build())),
                new Hostile("subgraph-reads-value-produced-after-its-node", "'Z'", implicitCycle()));
    }

    /**
     * Models that may import or be rejected, but must not import into an invalid graph (the invariant
     * {@link #importCase} checks for every case).
     */
    static Map<String, byte[]> ambiguousModels() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        // the opset-6 upgrade names B's aligned copy "B_aligned", which a later node already produces
        Onnx.GraphProto.Builder g = legacyBroadcastGraph(intAttribute("axis", 1))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Relu").addInput("A").addOutput("B_aligned"))
                .addOutput(valueInfo("B_aligned", 2, 3, 4, 5));
        m.put("opset6-aligned-name-taken-by-a-node", model(g, 6).toByteArray());
        Onnx.GraphProto.Builder withInitializer = legacyBroadcastGraph(intAttribute("axis", 1)).clearInput()
                .addInput(valueInfo("A", 2, 3, 4, 5))
                .addInitializer(floatTensor("B", 3).addFloatData(1).addFloatData(2).addFloatData(3))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Transpose").addInput("A").addOutput("B_aligned"))
                .addOutput(valueInfo("B_aligned", 5, 4, 3, 2));
        m.put("opset6-aligned-initializer-name-taken-by-a-node", model(withInitializer, 6).toByteArray());
        return m;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void hostileModelsAreRejectedForTheirReasonAndControlsImport() {
        List<String> wrongOutcome = new ArrayList<>();
        for (Hostile h : hostileModels()) {
            Outcome o = importCase("hostile-" + h.name(), h.bytes());
            if (o.imported()) {
                wrongOutcome.add(h.name() + " was imported");
            } else if (o.message() != null && !o.message().contains(h.expectedInMessage())) {
                wrongOutcome.add(h.name() + " was rejected for another reason than \"" + h.expectedInMessage() + "\": "
                        + o.message());
            }
        }
        Map<String, byte[]> controls = new LinkedHashMap<>();
        controls.put("valid-relu", model(graph()).toByteArray());
        controls.put("valid-initializer",
                withInitializer(floatTensor("W", 4).setRawData(ByteString.copyFrom(new byte[16]))).toByteArray());
        controls.put("nested-if-3", nestedIf(3));
        controls.put("opset6-broadcast-int-axis", legacyBroadcast(intAttribute("axis", 1)));
        ambiguousModels().forEach((name, bytes) -> importCase("ambiguous-" + name, bytes));
        controls.forEach((name, bytes) -> {
            Outcome o = importCase("control-" + name, bytes);
            if (!o.imported()) {
                wrongOutcome.add(name + " was rejected: " + o.message());
            }
        });
        assertAll(
                () -> assertEquals(List.of(), bugs,
                        "cases that ended in something other than a model or a clean ModelLoadException"),
                () -> assertEquals(List.of(), wrongOutcome,
                        "hostile models must be rejected for their reason, the controls imported"));
    }

    // ---- builders: Y = Relu(X) over float32[4], opset 13 ----

    static Onnx.TensorProto.Builder floatTensor(String name, long... dims) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        return t;
    }

    static Onnx.ValueInfoProto valueInfo(String name, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(shape)))
                .build();
    }

    static Onnx.ValueInfoProto boolScalar(String name) {
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.BOOL_VALUE)
                        .setShape(Onnx.TensorShapeProto.newBuilder()))).build();
    }

    static Onnx.AttributeProto intAttribute(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(value)
                .build();
    }

    static Onnx.NodeProto node(String op, String input, String output) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).addOutput(output);
        if (input != null) {
            n.addInput(input);
        }
        return n.build();
    }

    static Onnx.GraphProto.Builder graph() {
        return Onnx.GraphProto.newBuilder().setName("g").addNode(node("Relu", "X", "Y"))
                .addInput(valueInfo("X", 4)).addOutput(valueInfo("Y", 4));
    }

    static Onnx.ModelProto model(Onnx.GraphProto.Builder graph) {
        return model(graph, 13);
    }

    static Onnx.ModelProto model(Onnx.GraphProto.Builder graph, int opset) {
        return Onnx.ModelProto.newBuilder().setIrVersion(opset < 7 ? 3 : 8).setProducerName("FuzzImportTest")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(graph).build();
    }

    /** Opset 6: Y = Add(A float32[2,3,4,5], B float32[3], broadcast=1, axis). */
    static Onnx.GraphProto.Builder legacyBroadcastGraph(Onnx.AttributeProto axis) {
        return Onnx.GraphProto.newBuilder().setName("legacy")
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").addInput("A").addInput("B").addOutput("Y")
                        .addAttribute(intAttribute("broadcast", 1)).addAttribute(axis))
                .addInput(valueInfo("A", 2, 3, 4, 5)).addInput(valueInfo("B", 3)).addOutput(valueInfo("Y", 2, 3, 4, 5));
    }

    static byte[] legacyBroadcast(Onnx.AttributeProto axis) {
        return model(legacyBroadcastGraph(axis), 6).toByteArray();
    }

    /** y = If(cond) whose branches read Z, and Z = Relu(y): a cycle through the branches' outer-scope read. */
    static byte[] implicitCycle() {
        Onnx.GraphProto branch = Onnx.GraphProto.newBuilder().setName("branch")
                .addNode(node("Identity", "Z", "t")).addOutput(valueInfo("t", 4)).build();
        Onnx.NodeProto ifNode = Onnx.NodeProto.newBuilder().setOpType("If").addInput("cond").addOutput("y")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("then_branch")
                        .setType(Onnx.AttributeProto.AttributeType.GRAPH).setG(branch))
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("else_branch")
                        .setType(Onnx.AttributeProto.AttributeType.GRAPH).setG(branch)).build();
        return model(Onnx.GraphProto.newBuilder().setName("g").addNode(ifNode).addNode(node("Relu", "y", "Z"))
                .addInput(valueInfo("X", 4)).addInput(boolScalar("cond")).addOutput(valueInfo("Z", 4))).toByteArray();
    }

    /** Y = Relu(X) + W, with W the given initializer. */
    static Onnx.ModelProto withInitializer(Onnx.TensorProto.Builder w) {
        return model(graph().clearNode().addNode(node("Relu", "X", "R"))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").addInput("R").addInput(w.getName()).addOutput("Y"))
                .addInitializer(w));
    }

    /**
     * If nodes nested {@code depth} levels deep through their then branches; the innermost branch is
     * Identity(X). Encoded by hand: protobuf-java serializes recursively and overflows the stack on
     * a thousand levels, while the importer must still reject such a file cleanly.
     */
    static byte[] nestedIf(int depth) {
        byte[] branch = Onnx.GraphProto.newBuilder().setName("level" + depth)
                .addNode(node("Identity", "X", "y" + depth)).addOutput(valueInfo("y" + depth, 4)).build().toByteArray();
        for (int level = depth - 1; level >= 0; level--) {
            byte[] then = concat(Onnx.AttributeProto.newBuilder().setName("then_branch")
                    .setType(Onnx.AttributeProto.AttributeType.GRAPH).build().toByteArray(),
                    field(ATTRIBUTE_G, branch));
            // a flat else branch keeps the file linear in depth
            Onnx.AttributeProto otherwise = Onnx.AttributeProto.newBuilder().setName("else_branch")
                    .setType(Onnx.AttributeProto.AttributeType.GRAPH).setG(Onnx.GraphProto.newBuilder()
                            .setName("else" + level).addNode(node("Identity", "X", "e" + level))
                            .addOutput(valueInfo("e" + level, 4))).build();
            byte[] ifNode = concat(Onnx.NodeProto.newBuilder().setOpType("If").addInput("cond").addOutput("y" + level)
                    .addAttribute(otherwise).build().toByteArray(), field(NODE_ATTRIBUTE, then));
            branch = concat(Onnx.GraphProto.newBuilder().setName("level" + level).addOutput(valueInfo("y" + level, 4))
                    .build().toByteArray(), field(GRAPH_NODE, ifNode));
        }
        Onnx.ValueInfoProto cond = boolScalar("cond");
        // The top graph is level 0 plus the inputs X and cond (fields of one message may arrive in pieces).
        byte[] top = concat(branch, Onnx.GraphProto.newBuilder().addInput(valueInfo("X", 4)).addInput(cond).build()
                .toByteArray());
        return concat(Onnx.ModelProto.newBuilder().setIrVersion(8).setProducerName("FuzzImportTest")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).build().toByteArray(),
                field(MODEL_GRAPH, top));
    }

    // Field numbers from onnx.proto.
    static final int MODEL_GRAPH = 7;
    static final int GRAPH_NODE = 1;
    static final int NODE_ATTRIBUTE = 5;
    static final int ATTRIBUTE_G = 6;

    /** One length-delimited field: tag, length, payload. */
    static byte[] field(int number, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 16);
        try {
            CodedOutputStream c = CodedOutputStream.newInstance(out);
            c.writeByteArray(number, payload);
            c.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
