// The vector width: at most 256 bits unless asked, never more than the platform has, and a clear error on a bad setting.
package dev.condense.runtime.vector;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LanesTest {

    private static final int PREFERRED = FloatVector.SPECIES_PREFERRED.vectorBitSize();

    @Test
    void defaultIsThePreferredWidthCappedAt256Bits() {
        assertEquals(Math.min(256, PREFERRED), Lanes.choose(null).vectorBitSize());
        assertEquals(Math.min(256, PREFERRED), Lanes.choose(" ").vectorBitSize());
        assertEquals(Lanes.choose(null), Lanes.FLOAT, "no condense.vector.bits is set in the tests");
    }

    @Test
    void aWidthTheMachineHasCanBeAskedFor() {
        assertEquals(128, Lanes.choose("128").vectorBitSize());
        assertEquals(PREFERRED, Lanes.choose(Integer.toString(PREFERRED)).vectorBitSize());
    }

    @Test
    void impossibleWidthsAreRefusedSayingWhy() {
        String e = assertThrows(IllegalArgumentException.class, () -> Lanes.choose("96")).getMessage();
        assertTrue(e.contains("128, 256 and 512"), e);
        e = assertThrows(IllegalArgumentException.class, () -> Lanes.choose("wide")).getMessage();
        assertTrue(e.contains("'wide'"), e);
        if (PREFERRED < 512) {
            e = assertThrows(IllegalArgumentException.class, () -> Lanes.choose("512")).getMessage();
            assertTrue(e.contains("at most " + PREFERRED + " bits"), e);
        }
    }
}
