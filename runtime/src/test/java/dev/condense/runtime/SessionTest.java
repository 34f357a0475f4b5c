// Tests of Session around the engines: input checks, closing, Results, and ops the vector engine lacks.
package dev.condense.runtime;

import dev.condense.ir.DataType;
import dev.condense.ir.Tensor;
import dev.condense.runtime.vector.ops.OpRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The input checks belong to the Session, so they run on both CPU backends with graphs of Identity
 * nodes, which every engine runs. Each asserts the whole message: it is the user's only clue.
 */
class SessionTest {

    private static final String EXPECTED = "a: float32[N, 3], b: float32[N, 3]";

    private static Session open(Backend backend) throws Exception {
        return Session.open(TinyModels.identities(DataType.FLOAT, "a", "b"), SessionOptions.of(backend).withThreads(1));
    }

    private static Tensor floats(long... dims) {
        float[] values = new float[Math.toIntExact(Tensor.elementCount(dims))];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 1;
        }
        return Tensor.ofFloats("", dims, values);
    }

    private static String runFails(Session s, Map<String, Tensor> feeds) {
        return assertThrows(IllegalArgumentException.class, () -> s.run(feeds)).getMessage();
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void runsAndReturnsOutputsInModelOrder(Backend backend) throws Exception {
        Tensor a = floats(2, 3);
        Tensor b = Tensor.ofFloats("", new long[] {2, 3}, 9, 8, 7, 6, 5, 4);
        try (Session s = open(backend); Result r = s.run(Map.of("b", b, "a", a))) {
            assertEquals(backend, s.backend());
            assertEquals(java.util.List.of("a_out", "b_out"), r.names());
            assertArrayEquals(a.toFloatArray(), r.get("a_out").toFloatArray());
            assertArrayEquals(new long[] {2, 3}, r.get("b_out").dims());
            assertArrayEquals(b.toFloatArray(), r.get("b_out").toFloatArray());
            assertEquals(r.get("a_out"), r.first());
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void anInt64OutputKeepsItsTypeAndEveryDigit(Backend backend) throws Exception {
        // 2^53 + 1 and friends: a float32 (or float64) round trip would change them.
        long[] values = {(1L << 53) + 1, -(1L << 40) - 3, 16_777_217, 0, 7, Long.MAX_VALUE};
        Tensor ids = Tensor.ofLongs("", new long[] {2, 3}, values);
        try (Session s = Session.open(TinyModels.identities(DataType.INT64, "ids"), SessionOptions.of(backend));
             Result r = s.run(Map.of("ids", ids))) {
            Tensor out = r.get("ids_out");
            assertEquals(DataType.INT64, out.dtype());
            assertArrayEquals(new long[] {2, 3}, out.dims());
            for (int i = 0; i < values.length; i++) {
                assertEquals(values[i], out.getLong(i), "element " + i);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void unknownInputNameListsTheModelsInputs(Backend backend) throws Exception {
        try (Session s = open(backend)) {
            assertEquals("no input 'z'; the model's inputs are " + EXPECTED,
                    runFails(s, Map.of("a", floats(1, 3), "b", floats(1, 3), "z", floats(1, 3))));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void missingInputIsNamed(Backend backend) throws Exception {
        try (Session s = open(backend)) {
            assertEquals("missing input 'b'; the model's inputs are " + EXPECTED, runFails(s, Map.of("a", floats(1, 3))));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void wrongElementTypeShowsBothTypes(Backend backend) throws Exception {
        Tensor doubles = Tensor.ofDoubles("", new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
        try (Session s = open(backend)) {
            assertEquals("input 'a' must be float32[N, 3], got float64[2, 3]",
                    runFails(s, Map.of("a", doubles, "b", floats(2, 3))));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void wrongRankShowsBothRanks(Backend backend) throws Exception {
        try (Session s = open(backend)) {
            assertEquals("input 'b' must be float32[N, 3] (rank 2), got float32[2, 3, 1] (rank 3)",
                    runFails(s, Map.of("a", floats(2, 3), "b", floats(2, 3, 1))));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void wrongFixedDimensionNamesTheAxis(Backend backend) throws Exception {
        try (Session s = open(backend)) {
            assertEquals("input 'a' must be float32[N, 3], got float32[2, 4]: dimension 1 is 4, not 3",
                    runFails(s, Map.of("a", floats(2, 4), "b", floats(2, 3))));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void symbolicDimensionMustAgreeAcrossInputs(Backend backend) throws Exception {
        try (Session s = open(backend)) {
            assertEquals("input 'b' has N = 5 in dimension 0, but input 'a' has N = 2",
                    runFails(s, Map.of("a", floats(2, 3), "b", floats(5, 3))));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void closedSessionRefusesEverythingAndClosesTwice(Backend backend) throws Exception {
        Session s = open(backend);
        s.close();
        s.close();
        Map<String, Tensor> feeds = Map.of("a", floats(1, 3), "b", floats(1, 3));
        assertEquals("session is closed", assertThrows(IllegalStateException.class, () -> s.run(feeds)).getMessage());
        assertEquals("session is closed", assertThrows(IllegalStateException.class, s::backend).getMessage());
        assertEquals("session is closed", assertThrows(IllegalStateException.class, s::inputs).getMessage());
        assertEquals("session is closed", assertThrows(IllegalStateException.class, s::describe).getMessage());
    }

    @ParameterizedTest
    @EnumSource(names = {"ORT_CPU", "VECTOR"})
    void resultOutlivesItsSessionUntilClosed(Backend backend) throws Exception {
        Result r;
        try (Session s = open(backend)) {
            r = s.run(Map.of("a", floats(1, 3), "b", floats(1, 3)));
        }
        assertArrayEquals(floats(1, 3).toFloatArray(), r.first().toFloatArray(), "outputs are copies the caller owns");
        assertEquals("no output 'c'; the outputs are [a_out, b_out]",
                assertThrows(java.util.NoSuchElementException.class, () -> r.get("c")).getMessage());
        r.close();
        r.close();
        assertEquals("result is closed", assertThrows(IllegalStateException.class, r::first).getMessage());
        assertEquals("result is closed", assertThrows(IllegalStateException.class, () -> r.get("a_out")).getMessage());
        assertEquals("result is closed", assertThrows(IllegalStateException.class, r::asMap).getMessage());
    }

    @Test
    void vectorRefusesAnOpItLacksAtOpenNamingNodeOpOpsetAndKernels() {
        SessionException e = assertThrows(SessionException.class,
                () -> Session.open(TinyModels.determinant(), SessionOptions.of(Backend.VECTOR).withThreads(1)));
        assertEquals("node 'det': the vector engine has no kernel for Det at opset 13; it has kernels for "
                + String.join(", ", OpRegistry.ops()), e.getMessage());
    }

    @Test
    void vectorRefusesACustomDomainOpAtThatDomainsVersion() {
        SessionException e = assertThrows(SessionException.class,
                () -> Session.open(TinyModels.customDomainOp(), SessionOptions.of(Backend.VECTOR).withThreads(1)));
        assertEquals("node 'frob': the vector engine has no kernel for com.example.Frobnicate at opset 2; it has"
                + " kernels for " + String.join(", ", OpRegistry.ops()), e.getMessage());
    }

    @Test
    void anOpTheVectorEngineLacksRunsOnTheFallback() throws Exception {
        // det [[2,0,0],[0,3,0],[0,0,4]] = 24; det [[1,2,3],[4,5,6],[7,8,10]] = -3; y is their negation
        Tensor x = Tensor.ofFloats("x", new long[] {2, 3, 3}, 2, 0, 0, 0, 3, 0, 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 10);
        try (Session s = Session.open(TinyModels.determinant(),
                SessionOptions.of(Backend.VECTOR).withThreads(1).withFallback(Backend.ORT_CPU));
             Result r = s.run(Map.of("x", x))) {
            assertEquals(Backend.ORT_CPU, s.backend());
            assertArrayEquals(new float[] {-24, 3}, r.get("y").toFloatArray(), 1e-4f);
        }
    }

    @Test
    void aFallbackThatFailsTooReportsBoth() throws Exception {
        String cuda;
        try (Session s = Session.open(TinyModels.determinant(), SessionOptions.of(Backend.ORT_CUDA).withThreads(1))) {
            cuda = org.junit.jupiter.api.Assumptions.abort("ort-cuda opened here (" + s.describe() + ")");
        } catch (SessionException e) {
            cuda = e.getMessage();
        }
        SessionException e = assertThrows(SessionException.class, () -> Session.open(TinyModels.determinant(),
                SessionOptions.of(Backend.ORT_CUDA).withThreads(1).withFallback(Backend.VECTOR)));
        assertEquals("ort-cuda is not available (" + cuda + "), nor is the fallback vector (node 'det': the vector"
                + " engine has no kernel for Det at opset 13; it has kernels for " + String.join(", ", OpRegistry.ops())
                + ")", e.getMessage());
        assertEquals(cuda, e.getSuppressed()[0].getMessage());
    }

    @Test
    void optionsRejectImpossibleValues() {
        assertEquals("threads must be between 1 and 1024, got 0", assertThrows(IllegalArgumentException.class,
                () -> SessionOptions.of(Backend.VECTOR).withThreads(0)).getMessage());
        assertEquals("the fallback must differ from the backend, both are ort-cpu", assertThrows(
                IllegalArgumentException.class, () -> SessionOptions.of(Backend.ORT_CPU).withFallback(Backend.ORT_CPU))
                .getMessage());
        assertEquals("no backend 'gpu'; there are ort-cpu, ort-cuda, vector",
                assertThrows(IllegalArgumentException.class, () -> Backend.of("gpu")).getMessage());
        assertEquals(Backend.ORT_CUDA, Backend.of(" ORT-CUDA "));
    }
}
