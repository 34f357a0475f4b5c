// The registry's table: one entry per (op, version), lookups choose the newest version not above the opset.
package dev.condense.runtime.vector.ops;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpRegistryTest {

    @Test
    void everyEntryIsUniqueAndHasAFactory() {
        Set<String> seen = new HashSet<>();
        for (OpRegistry.Entry e : OpRegistry.entries()) {
            assertTrue(seen.add(e.domain() + "::" + e.op() + "@" + e.since()), "registered twice: " + e);
            assertTrue(e.factory() != null && e.since() >= 1, e.toString());
        }
        List<String> ops = OpRegistry.ops();
        assertEquals(ops.stream().sorted().toList(), ops);
    }

    @Test
    void lookupsChooseTheNewestVersionNotAboveTheOpset() {
        assertTrue(OpRegistry.find("", "HardSwish", 13).isEmpty(), "HardSwish exists from opset 14");
        assertEquals(14, OpRegistry.find("", "HardSwish", 17).orElseThrow().since());
        assertEquals(11, OpRegistry.find("ai.onnx", "Resize", 13).orElseThrow().since());
        assertEquals(10, OpRegistry.find("", "Resize", 10).orElseThrow().since());
        assertTrue(OpRegistry.find("", "NoSuchOp", 13).isEmpty());
        assertEquals("", OpRegistry.versions("", "NoSuchOp"));
        assertEquals("7", OpRegistry.versions("", "Add"));
        assertEquals("1, 13", OpRegistry.versions("", "Softmax"));
        assertEquals(13, OpRegistry.find("", "ReduceSum", 17).orElseThrow().since());
    }
}
