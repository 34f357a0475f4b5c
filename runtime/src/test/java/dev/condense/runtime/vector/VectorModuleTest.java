// A JVM started without the Vector API module gets a SessionException from the vector backend, and its fallback runs.
package dev.condense.runtime.vector;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VectorModuleTest {

    /** Run in a child JVM without --add-modules: prints what opening the vector backend gives. */
    public static void main(String[] args) throws Exception {
        List<Dim> dims = List.of(new Dim.Fixed(1), new Dim.Fixed(3));
        Model m = Model.of(new Graph("copy", List.of(Node.of("copy", "Identity", List.of("x"), List.of("y"))),
                List.of(ValueInfo.of("x", DataType.FLOAT, dims)), List.of(ValueInfo.of("y", DataType.FLOAT, dims)),
                Map.of(), Map.of()), 13);
        try (Session s = Session.open(m, SessionOptions.of(Backend.VECTOR).withThreads(1))) {
            System.out.println("opened " + s.describe());
        } catch (SessionException e) {
            System.out.println(e.getMessage());
        }
        try (Session s = Session.open(m, SessionOptions.of(Backend.VECTOR).withThreads(1).withFallback(Backend.ORT_CPU))) {
            System.out.println("fallback " + s.backend());
        }
    }

    @Test
    void withoutTheModuleVectorRefusesToOpenAndTheFallbackRuns() throws Exception {
        assertTrue(ModuleLayer.boot().findModule(VectorEngine.VECTOR_MODULE).isPresent(), "the tests' own JVM has it");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Djava.util.logging.SimpleFormatter.format=%4$s: %5$s%n",
                "-cp", System.getProperty("java.class.path"), VectorModuleTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), out);
        assertEquals(List.of("vector: this JVM lacks the Vector API; start java with --add-modules=jdk.incubator.vector"
                + " (./condense and the Maven build pass it)", "fallback ort-cpu"), out.lines().toList());
    }
}
