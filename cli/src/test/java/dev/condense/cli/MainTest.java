// Tests of the condense command line: help, inspect's text and JSON, and one-line errors.
package dev.condense.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {

    /** Classic LeNet-5: conv 156 + conv 2,416 + fc 48,120 + fc 10,164 + fc 850. */
    private static final long LENET5_PARAMETERS = 61_706;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommandsAndEachHasAnExample() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String cmd : new String[] {"demo", "inspect", "convert", "compress", "decompress", "zoo", "run", "bench"}) {
            assertTrue(r.out().contains(cmd), "help lists " + cmd + ":\n" + r.out());
            Run sub = run(cmd, "--help");
            assertEquals(0, sub.code());
            assertTrue(sub.out().contains("Example"), cmd + " --help has an example:\n" + sub.out());
        }
    }

    @Test
    void inspectReportsWhatTheFileHolds(@TempDir Path dir) throws Exception {
        Path model = TestModels.lenet(dir);
        Run r = run("inspect", model.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        for (String key : new String[] {"opset", "inputs", "outputs", "ops", "nodes", "parameters", "bytes"}) {
            assertTrue(j.has(key), "key " + key + " in " + r.out());
        }
        assertEquals(13, j.get("opset").asInt());
        assertEquals(Files.size(model), j.get("bytes").asLong());
        assertEquals(LENET5_PARAMETERS, j.get("parameters").asLong());
    }

    @Test
    void badInputGivesOneLineNamingTheProblem(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "definitely not protobuf");
        Run r = run("inspect", junk.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("junk.onnx"), r.err());
        assertFalse(r.err().contains("Exception"), "no class names or traces: " + r.err());

        Run missing = run("inspect", dir.resolve("nope.onnx").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());

        Run usage = run("inspect");
        assertEquals(2, usage.code(), "a missing argument is a usage error");
        assertTrue(usage.err().contains("MODEL"), usage.err());
    }

    @Test
    void inspectShowsDeclaredShapesWhenInferenceFails(@TempDir Path dir) throws Exception {
        // A Conv whose weight has 2 input channels fed a 1-channel image: readable, but the shapes contradict.
        dev.condense.ir.Model lenet = dev.condense.models.Zoo.get("lenet-5").build(dev.condense.models.ZooSpec.fashionMnist());
        var g = lenet.graph();
        var init = new java.util.LinkedHashMap<>(g.initializers());
        init.put("conv1.weight", dev.condense.ir.Tensor.ofFloats("conv1.weight", new long[] {6, 2, 5, 5}, new float[300]));
        Path file = dir.resolve("broken.onnx");
        dev.condense.onnx.OnnxWriter.write(lenet.withGraph(g.withInitializers(init)), file,
                dev.condense.onnx.OnnxWriter.Options.inline());
        Run r = run("inspect", file.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("shape inference failed") && r.err().contains("conv1"), r.err());
        assertTrue(r.out().contains("logits: float32[N, 10]"), "declared output shape shown:\n" + r.out());
    }
}
