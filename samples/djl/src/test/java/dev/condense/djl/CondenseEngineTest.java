// The engine is registered under "Condense", never DJL's default, hands out PyTorch's arrays, and refuses training and GPUs.
package dev.condense.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CondenseEngineTest {

    @Test
    void registeredThroughTheServiceFileUnderItsName() {
        assertTrue(Engine.hasEngine("Condense"), Engine.getAllEngines().toString());
        Engine engine = Engine.getEngine("Condense");
        assertInstanceOf(CondenseEngine.class, engine);
        assertEquals("Condense", engine.getEngineName());
        assertEquals(CondenseEngine.RANK, engine.getRank());
        assertTrue(engine.getVersion().matches("\\d+\\.\\d+\\.\\d+.*"), "version from the pom: " + engine.getVersion());
    }

    @Test
    void neverDjlsDefaultEngine() {
        assertEquals(CondenseEngine.ARRAY_ENGINE_NAME, Engine.getDefaultEngineName());
        assertTrue(Engine.getEngine(CondenseEngine.ARRAY_ENGINE_NAME).getRank() < CondenseEngine.RANK);
    }

    @Test
    void arraysBelongToPyTorchAndItsOperatorsWork() {
        Engine engine = Engine.getEngine("Condense");
        assertEquals("PyTorch", engine.getAlternativeEngine().getEngineName());
        try (NDManager manager = engine.newBaseManager()) {
            assertEquals("PyTorch", manager.getEngine().getEngineName());
            NDArray a = manager.create(new float[] {1, 2, 3});
            assertArrayEquals(new float[] {2, 4, 6}, a.add(a).toFloatArray(), 0f);
        }
    }

    @Test
    void onlyTheCpuAsDjlDevice() {
        Engine engine = Engine.getEngine("Condense");
        assertEquals(Device.cpu(), engine.defaultDevice());
        assertEquals(0, engine.getGpuCount());
        assertFalse(engine.hasCapability("CUDA"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.newModel("lenet", Device.gpu()));
        assertTrue(e.getMessage().contains("optOption(\"backend\", \"ort-cuda\")"), e.getMessage());
    }

    @Test
    void noGradients() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Engine.getEngine("Condense").newGradientCollector());
        assertTrue(e.getMessage().contains("inference only"), e.getMessage());
    }
}
