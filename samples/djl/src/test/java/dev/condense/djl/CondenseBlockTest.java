// NDList in, NDList out: the block feeds arrays to the session by name or position and returns exactly what it computes.
package dev.condense.djl;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.ParameterStore;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.condense.ir.Tensor;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CondenseBlockTest {

    private static ZooModel<NDList, NDList> load(Path modelPath, String backend) throws Exception {
        return Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(modelPath)
                .optEngine("Condense")
                .optTranslator(new NoopTranslator())
                .optOption(CondenseModel.OPTION_BACKEND, backend)
                .build()
                .loadModel();
    }

    /**
     * The two-input model on ONNX Runtime: Condense's vector engine holds values as floats and
     * returns its int64 output as float32 (a runtime limitation, not the block's).
     */
    private static ZooModel<NDList, NDList> twoInputs() throws Exception {
        return load(TestModels.twoInputs(), "ort-cpu");
    }

    @Test
    void noopTranslatorRoundTripEqualsSessionRun() throws Exception {
        Random random = new Random(7);
        float[] pixels = new float[3 * 28 * 28];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextGaussian();
        }
        try (ZooModel<NDList, NDList> model = load(TestModels.lenet5Dcz(), "vector");
             Predictor<NDList, NDList> predictor = model.newPredictor();
             NDManager manager = model.getNDManager().newSubManager()) {
            Session session = CondenseModel.of(model).session();
            String input = session.inputs().getFirst().name();
            float[] expected;
            try (Result r = session.run(Map.of(input, Tensor.ofFloats(input, new long[] {3, 1, 28, 28}, pixels)))) {
                expected = r.first().toFloatArray();
            }
            NDList out = predictor.predict(new NDList(manager.create(pixels, new Shape(3, 1, 28, 28))));
            assertEquals(1, out.size());
            assertEquals(session.outputs().getFirst().name(), out.head().getName());
            assertEquals(new Shape(3, 10), out.head().getShape());
            assertArrayEquals(expected, out.head().toFloatArray(), 0f);
        }
    }

    @Test
    void namedArraysMatchInputsByNameInAnyOrderUnnamedByPosition() throws Exception {
        try (ZooModel<NDList, NDList> model = twoInputs();
             Predictor<NDList, NDList> predictor = model.newPredictor();
             NDManager manager = model.getNDManager().newSubManager()) {
            float[] scores = {0.5f, -1.25f, 3f, 7f, 0f, -0f};
            long[] ids = {1L << 40, -3, 0, 9, Long.MAX_VALUE, Long.MIN_VALUE};
            NDArray idsArray = manager.create(ids, new Shape(2, 3));
            idsArray.setName("ids");
            NDArray scoresArray = manager.create(scores, new Shape(2, 3));
            scoresArray.setName("scores");
            NDList named = predictor.predict(new NDList(idsArray, scoresArray));
            assertOutputs(named, scores, ids);

            NDList positional = predictor.predict(new NDList(manager.create(scores, new Shape(2, 3)),
                    manager.create(ids, new Shape(2, 3))));
            assertOutputs(positional, scores, ids);
        }
    }

    private static void assertOutputs(NDList out, float[] scores, long[] ids) {
        assertEquals("scores_out", out.get(0).getName());
        assertEquals("ids_out", out.get(1).getName());
        assertEquals(ai.djl.ndarray.types.DataType.INT64, out.get(1).getDataType());
        assertArrayEquals(scores, out.get(0).toFloatArray(), 0f);
        assertArrayEquals(ids, out.get(1).toLongArray());
    }

    @Test
    void wrongInputsFailWithWhatTheModelExpects() throws Exception {
        try (ZooModel<NDList, NDList> model = twoInputs();
             Predictor<NDList, NDList> predictor = model.newPredictor();
             NDManager manager = model.getNDManager().newSubManager()) {
            NDArray scores = manager.create(new float[6], new Shape(2, 3));
            TranslateException count = assertThrows(TranslateException.class,
                    () -> predictor.predict(new NDList(scores)));
            assertTrue(TestModels.messages(count).contains("the model takes 2 input(s) [scores, ids], got 1 array(s)"), TestModels.messages(count));

            NDArray named = manager.create(new long[6], new Shape(2, 3));
            named.setName("ids");
            TranslateException mixed = assertThrows(TranslateException.class,
                    () -> predictor.predict(new NDList(manager.create(new float[6], new Shape(2, 3)), named)));
            assertTrue(TestModels.messages(mixed).contains("name all input arrays or none: 1 of 2"), TestModels.messages(mixed));

            TranslateException shape = assertThrows(TranslateException.class,
                    () -> predictor.predict(new NDList(manager.create(new float[8], new Shape(2, 4)),
                            manager.create(new long[6], new Shape(2, 3)))));
            assertTrue(TestModels.messages(shape).contains("input 'scores' must be float32[N, 3]"), TestModels.messages(shape));
        }
    }

    @Test
    void trainingIsRefused() throws Exception {
        try (ZooModel<NDList, NDList> model = twoInputs();
             NDManager manager = model.getNDManager().newSubManager()) {
            NDList inputs = new NDList(manager.create(new float[3], new Shape(1, 3)),
                    manager.create(new long[3], new Shape(1, 3)));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> model.getBlock().forward(new ParameterStore(manager, false), inputs, true));
            assertTrue(e.getMessage().contains("inference only"), e.getMessage());
            assertEquals(0, model.getBlock().getParameters().size());
        }
    }
}
