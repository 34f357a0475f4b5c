// Tests of the Python literal parser behind .npy headers: the spellings Python accepts and the errors it gives.
package dev.condense.io;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PythonLiteralTest {

    private static BigInteger i(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void tuplesFollowPythonsCommaRule() throws Exception {
        assertEquals(new PythonLiteral.Tuple(List.of()), PythonLiteral.parse("()"));
        assertEquals(new PythonLiteral.Tuple(List.of(i(5))), PythonLiteral.parse("(5,)"));
        assertEquals(i(5), PythonLiteral.parse("(5)"), "(5) is a parenthesized number");
        assertEquals(new PythonLiteral.Tuple(List.of(i(2), i(-3))), PythonLiteral.parse("( 2 ,\n - 3 , )"));
        assertEquals(new PythonLiteral.Tuple(List.of(i(3), i(4))), PythonLiteral.parse("(3L, 4l)"));
        assertEquals(new PythonLiteral.PyList(List.of(i(1))), PythonLiteral.parse("[1,]"));
    }

    @Test
    void dictsKeepTheirOrderAndAllowTrailingCommas() throws Exception {
        Object parsed = PythonLiteral.parse(" {'b': True, \"a\": None, u'c': 'x\\'y', } ");
        Map<?, ?> dict = (Map<?, ?>) parsed;
        assertEquals(List.of("b", "a", "c"), List.copyOf(dict.keySet()));
        assertEquals(Boolean.TRUE, dict.get("b"));
        assertSame(PythonLiteral.NONE, dict.get("a"));
        assertEquals("x'y", dict.get("c"));
        assertEquals("{'b': True, 'a': None, 'c': 'x\\'y'}", PythonLiteral.repr(parsed));
    }

    @Test
    void reprWritesTuplesAsPythonDoes() throws Exception {
        assertEquals("(7,)", PythonLiteral.repr(PythonLiteral.parse("(7 ,)")));
        assertEquals("()", PythonLiteral.repr(PythonLiteral.parse("( )")));
        assertEquals("[('x', '<f4'), ('y', (2, 3))]", PythonLiteral.repr(PythonLiteral.parse("[('x','<f4'),('y',(2,3))]")));
    }

    @Test
    void errorsGiveTheColumn() {
        assertMessage("{'a': 1", "expected ',' or '}' after the value of 'a', found the end of the text at column 7");
        assertMessage("{'a': 1 'b': 2}", "expected ',' or '}' after the value of 'a', found ''' at column 8");
        assertMessage("(1, 2", "expected ',' or ')', found the end of the text at column 5");
        assertMessage("'open", "a string starting here is not closed at column 0");
        assertMessage("{[1]: 2}", "a list cannot be a dict key at column 1");
        assertMessage("-x", "expected digits after the sign, found 'x' at column 1");
        assertMessage("1e5", "only whole numbers are expected here, found 'e' at column 1");
        assertMessage("nan", "unknown name 'nan' (only True, False and None are literals) at column 0");
        assertMessage("", "the text ends where a value should be at column 0");
        assertMessage("{1: 2}\u0000", "unexpected character 0x00 after the literal at column 6");
        assertMessage("[".repeat(PythonLiteral.MAX_DEPTH + 1), "brackets nest deeper than 16 levels");
    }

    @Test
    void nestingAtTheLimitIsAccepted() throws Exception {
        int depth = PythonLiteral.MAX_DEPTH;
        Object parsed = PythonLiteral.parse("(".repeat(depth) + "1" + ",)".repeat(depth));
        for (int level = 0; level < depth; level++) {
            assertTrue(parsed instanceof PythonLiteral.Tuple, "level " + level);
            parsed = ((PythonLiteral.Tuple) parsed).items().getFirst();
        }
        assertEquals(i(1), parsed);
    }

    private static void assertMessage(String text, String expected) {
        PythonLiteral.SyntaxError e = assertThrows(PythonLiteral.SyntaxError.class, () -> PythonLiteral.parse(text));
        assertTrue(e.getMessage().contains(expected), "for " + text + ": " + e.getMessage());
    }
}
