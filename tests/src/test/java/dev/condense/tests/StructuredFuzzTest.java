// Seeded structural fuzzing: valid models with wrong attributes, shapes, constants and wiring must import or fail clearly.
package dev.condense.tests;

import com.google.protobuf.ByteString;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.onnx.OnnxReader;
import dev.condense.onnx.proto.Onnx;
import dev.condense.passes.FoldBatchNorm;
import dev.condense.passes.Passes;
import dev.condense.shape.ShapeInference;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte-level fuzzing ({@link FuzzImportTest}) mostly produces files the parser rejects. These
 * mutants stay well-formed protobuf and attack what comes after parsing: attribute values
 * (negative, zero, huge, NaN, unknown strings), initializer dims and int64 contents (shapes, axes),
 * input shapes and node wiring. Import, shape inference and the passes must each end in a model
 * or a {@link ModelLoadException} with a message.
 */
class StructuredFuzzTest {

    static final long SEED = 20261123L;
    static final int CASES = 1500;
    private static final long[] VALUES = {0, 1, -1, 2, 3, -2, 7, 1L << 31, -(1L << 31), 1L << 40, Long.MAX_VALUE,
        Long.MIN_VALUE, 100_000};

    @Test
    void mutatedModelsImportInferAndFoldOrFailClearly() throws IOException {
        Random rng = new Random(SEED);
        List<Path> models = new ArrayList<>();
        for (String folder : List.of("node", "pytorch-converted", "pytorch-operator")) {
            TestData.cases(folder).forEach(c -> models.add(c.resolve("model.onnx")));
        }
        TestData.findPytorchExports().ifPresent(dir -> TestData.PYTORCH_EXPORTS
                .forEach(name -> models.add(dir.resolve(name).resolve("model.onnx"))));
        List<String> bugs = new ArrayList<>();
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            Path source = models.get(rng.nextInt(models.size()));
            Onnx.ModelProto.Builder model = Onnx.ModelProto.parseFrom(Files.readAllBytes(source)).toBuilder();
            int mutations = 1 + rng.nextInt(3);
            for (int k = 0; k < mutations; k++) {
                mutate(model.getGraphBuilder(), rng);
            }
            String name = "case " + i + " (" + source.getParent().getFileName() + ")";
            try {
                Model m = OnnxReader.read(model.build().toByteArray(), null, name);
                ShapeInference.infer(m);
                Passes.run(m, Passes.simplify());
                Passes.run(m, List.of(new FoldBatchNorm()));
                accepted++;
            } catch (ModelLoadException e) {
                rejected++;
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    bugs.add(name + ": ModelLoadException without a message");
                }
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                bugs.add(name + ": " + e + " at " + (e.getStackTrace().length > 0 ? e.getStackTrace()[0] : "?"));
            }
        }
        System.out.printf("structured fuzz: %d mutants, %d accepted, %d rejected%n", CASES, accepted, rejected);
        assertEquals(List.of(), bugs);
        assertTrue(accepted > CASES / 10 && rejected > CASES / 10,
                "the mutations must exercise both outcomes: " + accepted + " accepted, " + rejected + " rejected");
    }

    private static long value(Random rng) {
        return VALUES[rng.nextInt(VALUES.length)];
    }

    private static void mutate(Onnx.GraphProto.Builder g, Random rng) {
        switch (rng.nextInt(5)) {
            case 0, 1 -> mutateAttribute(g, rng);
            case 2 -> mutateInitializer(g, rng);
            case 3 -> mutateInputShape(g, rng);
            default -> rewire(g, rng);
        }
    }

    private static void mutateAttribute(Onnx.GraphProto.Builder g, Random rng) {
        if (g.getNodeCount() == 0) {
            return;
        }
        Onnx.NodeProto.Builder node = g.getNodeBuilder(rng.nextInt(g.getNodeCount()));
        if (node.getAttributeCount() == 0) {
            node.addAttribute(Onnx.AttributeProto.newBuilder().setName(rng.nextBoolean() ? "axis" : "perm")
                    .setType(Onnx.AttributeProto.AttributeType.INT).setI(value(rng)));
            return;
        }
        Onnx.AttributeProto.Builder a = node.getAttributeBuilder(rng.nextInt(node.getAttributeCount()));
        if (a.getIntsCount() > 0) {
            if (rng.nextBoolean()) {
                a.setInts(rng.nextInt(a.getIntsCount()), value(rng));
            } else {
                a.clearInts();
                for (int j = rng.nextInt(5); j > 0; j--) {
                    a.addInts(value(rng));
                }
            }
        } else if (a.hasI()) {
            a.setI(value(rng));
        } else if (a.hasF()) {
            a.setF(rng.nextBoolean() ? Float.NaN : -1e30f);
        } else if (a.hasS()) {
            a.setS(ByteString.copyFromUtf8(rng.nextBoolean() ? "SAME_UPPER" : "bogus"));
        }
    }

    /** Overwrites one element of an int64 initializer (shapes, axes, indices) or permutes a tensor's dims. */
    private static void mutateInitializer(Onnx.GraphProto.Builder g, Random rng) {
        if (g.getInitializerCount() == 0) {
            return;
        }
        Onnx.TensorProto.Builder t = g.getInitializerBuilder(rng.nextInt(g.getInitializerCount()));
        if (t.getDataType() == Onnx.TensorProto.DataType.INT64_VALUE && t.hasRawData() && t.getRawData().size() >= 8) {
            byte[] raw = t.getRawData().toByteArray();
            int index = rng.nextInt(raw.length / 8);
            long v = value(rng);
            for (int j = 0; j < 8; j++) {
                raw[index * 8 + j] = (byte) (v >>> (8 * j));
            }
            t.setRawData(ByteString.copyFrom(raw));
        } else if (t.getDimsCount() > 0) {
            List<Long> dims = new ArrayList<>(t.getDimsList());
            Collections.shuffle(dims, rng);
            t.clearDims().addAllDims(dims);
        }
    }

    private static void mutateInputShape(Onnx.GraphProto.Builder g, Random rng) {
        if (g.getInputCount() == 0) {
            return;
        }
        Onnx.TensorShapeProto.Builder shape = g.getInputBuilder(rng.nextInt(g.getInputCount()))
                .getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        if (shape.getDimCount() > 0) {
            Onnx.TensorShapeProto.Dimension.Builder d = shape.getDimBuilder(rng.nextInt(shape.getDimCount()));
            if (rng.nextBoolean()) {
                d.setDimValue(rng.nextInt(5));
            } else {
                d.setDimParam("S" + rng.nextInt(2));
            }
            if (rng.nextInt(4) == 0) {
                shape.removeDim(0);
            }
        }
    }

    /** Points one node input at another node's output: wrong shapes, and sometimes cycles. */
    private static void rewire(Onnx.GraphProto.Builder g, Random rng) {
        if (g.getNodeCount() < 2) {
            return;
        }
        Onnx.NodeProto.Builder node = g.getNodeBuilder(rng.nextInt(g.getNodeCount()));
        Onnx.NodeProto other = g.getNode(rng.nextInt(g.getNodeCount()));
        if (node.getInputCount() > 0 && other.getOutputCount() > 0) {
            node.setInput(rng.nextInt(node.getInputCount()), other.getOutput(0));
        }
    }
}
