// Checks Conv's attribute parsing, its defaults and errors, and the window arithmetic it resolves to.
package dev.condense.ops;

import dev.condense.ir.Attribute;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConvAttrsTest {

    static Node node(String op, Object... attrs) {
        Map<String, Attribute> map = new LinkedHashMap<>();
        for (int i = 0; i < attrs.length; i += 2) {
            map.put((String) attrs[i], (Attribute) attrs[i + 1]);
        }
        return Node.of("n", op, List.of("x", "w"), List.of("y"), map);
    }

    static void assertMessage(ModelLoadException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks \"" + p + "\": " + e.getMessage());
        }
    }

    @Test
    void defaultsFillInOnceTheKernelIsKnown() throws ModelLoadException {
        Node n = node("Conv");
        ConvAttrs attrs = ConvAttrs.of(n, 13);
        assertEquals(new ConvAttrs(new WindowAttrs(new int[0], new int[0], new int[0], new int[0], AutoPad.NOTSET), 1),
                attrs);
        assertEquals(-1, attrs.windowAttrs().spatialRank());
        SlidingWindow w = attrs.window(n, new int[] {3, 3});
        assertEquals(new SlidingWindow(new WindowAttrs(new int[] {3, 3}, new int[] {1, 1}, new int[] {0, 0, 0, 0},
                new int[] {1, 1}, AutoPad.NOTSET), false), w);
    }

    @Test
    void resolveGivesOutputDimsAndEffectivePads() throws ModelLoadException {
        Node upper = node("Conv", "strides", Attribute.ints(2, 2), "auto_pad", Attribute.of("SAME_UPPER"));
        SlidingWindow.Placement p = ConvAttrs.of(upper, 13).resolve(upper, new long[] {16, 15}, new int[] {3, 3});
        assertArrayEquals(new long[] {8, 8}, p.outputDims());
        // axis 0: (8-1)*2 + 3 - 16 = 1 pad, the odd one at the end; axis 1: 2 pads, split evenly
        assertArrayEquals(new long[] {0, 1, 1, 1}, p.pads());
        Node lower = node("Conv", "strides", Attribute.ints(2, 2), "auto_pad", Attribute.of("SAME_LOWER"));
        assertArrayEquals(new long[] {1, 1, 0, 1},
                ConvAttrs.of(lower, 13).resolve(lower, new long[] {16, 15}, new int[] {3, 3}).pads());
        Node explicit = node("Conv", "pads", Attribute.ints(1, 2, 3, 4), "dilations", Attribute.ints(2, 1));
        SlidingWindow.Placement e = ConvAttrs.of(explicit, 13).resolve(explicit, new long[] {10, 10}, new int[] {3, 3});
        // (10 + 1 + 3 - 5) / 1 + 1 = 10, (10 + 2 + 4 - 3) + 1 = 14
        assertArrayEquals(new long[] {10, 14}, e.outputDims());
        assertArrayEquals(new long[] {1, 2, 3, 4}, e.pads());
        Node valid = node("Conv", "auto_pad", Attribute.of("VALID"), "pads", Attribute.ints(1, 1));
        assertArrayEquals(new long[] {8}, ConvAttrs.of(valid, 13).resolve(valid, new long[] {10}, new int[] {3}).outputDims());
    }

    @Test
    void preservesSizeOnlyForSizeKeepingWindows() throws ModelLoadException {
        Node same = node("Conv", "pads", Attribute.ints(2, 2), "dilations", Attribute.ints(2));
        assertTrue(ConvAttrs.of(same, 13).window(same, new int[] {3}).preservesSize(0));
        Node shrink = node("Conv", "pads", Attribute.ints(1, 1));
        assertFalse(ConvAttrs.of(shrink, 13).window(shrink, new int[] {5}).preservesSize(0));
    }

    @Test
    void malformedAttributesNameNodeAttributeAndValue() {
        ModelLoadException pads = assertThrows(ModelLoadException.class,
                () -> ConvAttrs.of(node("Conv", "kernel_shape", Attribute.ints(3, 3), "pads", Attribute.ints(1, 1, 1)), 13));
        assertMessage(pads, "Conv 'n'", "'pads'", "[1, 1, 1]", "even");
        ModelLoadException padsRank = assertThrows(ModelLoadException.class,
                () -> ConvAttrs.of(node("Conv", "kernel_shape", Attribute.ints(3, 3), "pads", Attribute.ints(1, 1)), 13));
        assertMessage(padsRank, "'pads'", "[1, 1]", "2-D window needs 4");
        ModelLoadException stride = assertThrows(ModelLoadException.class,
                () -> ConvAttrs.of(node("Conv", "strides", Attribute.ints(1, 0)), 13));
        assertMessage(stride, "'strides'", "[1, 0]", "positive");
        ModelLoadException type = assertThrows(ModelLoadException.class,
                () -> ConvAttrs.of(node("Conv", "strides", Attribute.of(2f)), 13));
        assertMessage(type, "'strides' must be INTS, got FLOAT 2.0");
        ModelLoadException group = assertThrows(ModelLoadException.class,
                () -> ConvAttrs.of(node("Conv", "group", Attribute.of(0L)), 13));
        assertMessage(group, "'group' is 0", ">= 1");
        ModelLoadException autoPad = assertThrows(ModelLoadException.class,
                () -> ConvAttrs.of(node("Conv", "auto_pad", Attribute.of("SAME")), 13));
        assertMessage(autoPad, "'auto_pad' is 'SAME'", "NOTSET, SAME_UPPER, SAME_LOWER, VALID");
        ModelLoadException kernel = assertThrows(ModelLoadException.class, () -> {
            Node n = node("Conv", "kernel_shape", Attribute.ints(3, 3));
            ConvAttrs.of(n, 13).window(n, new int[] {5, 5});
        });
        assertMessage(kernel, "'kernel_shape' [3, 3]", "[5, 5]");
    }

    @Test
    void emptyOutputIsAnError() throws ModelLoadException {
        Node n = node("Conv");
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ConvAttrs.of(n, 13).resolve(n, new long[] {4}, new int[] {5}));
        assertMessage(e, "Conv 'n'", "would be 0", "input 4, kernel 5");
    }

    @Test
    void convTransposeOutputSize() throws ModelLoadException {
        Node n = node("ConvTranspose", "strides", Attribute.ints(2, 2), "pads", Attribute.ints(1, 1, 1, 1),
                "output_padding", Attribute.ints(1, 0));
        ConvTransposeAttrs attrs = ConvTransposeAttrs.of(n, 13);
        SlidingWindow w = attrs.window(n, new int[] {3, 3});
        // 2*(7-1) + 1 + 3 - 2 = 14 and 2*(7-1) + 0 + 3 - 2 = 13
        assertEquals(14, attrs.outputSize(w, 0, 7));
        assertEquals(13, attrs.outputSize(w, 1, 7));
    }
}
