// The server's command-line parsing: defaults, every option, and errors that name the option at fault.
package dev.condense.samples.serve;

import dev.condense.runtime.Backend;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerOptionsTest {

    @Test
    void defaultsServeOnLoopbackWithOneWorkerPerCore() {
        ServerOptions o = ServerOptions.parse("--model", "m.dcz");
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(Path.of("m.dcz"), o.model());
        assertEquals("127.0.0.1", o.host());
        assertEquals(0, o.port());
        assertEquals(cores, o.workers());
        assertEquals(16 * cores, o.queue());
        assertEquals(1L << 20, o.maxBodyBytes());
        assertEquals(Backend.VECTOR, o.backend());
        assertEquals(1, o.intraOp());
    }

    @Test
    void everyOptionIsRead() {
        ServerOptions o = ServerOptions.parse("--model=a.onnx", "--host", "0.0.0.0", "--port", "8080", "--threads",
                "3", "--max-body", "4096", "--backend", "ort-cpu", "--intra-op=2");
        assertEquals(new ServerOptions(Path.of("a.onnx"), "0.0.0.0", 8080, 3, 48, 4096, Backend.ORT_CPU, 2), o);
        assertEquals(0, ServerOptions.parse("--queue", "0", "--threads", "4", "--model", "m").queue(),
                "an explicit queue wins over the per-worker default, in any order");
    }

    @Test
    void errorsNameTheOption() {
        assertMessage("--model FILE is required", "--port", "1");
        assertMessage("unknown option '--workers'", "--model", "m", "--workers", "2");
        assertMessage("--port takes a whole number, got 'eighty'", "--model", "m", "--port", "eighty");
        assertMessage("port must be between 0 and 65535, got 70000", "--model", "m", "--port", "70000");
        assertMessage("threads must be between 1 and 1024, got 0", "--model", "m", "--threads", "0");
        assertMessage("queue must be between 0 and 1000000, got -1", "--model", "m", "--queue", "-1");
        assertMessage("no backend 'gpu'", "--model", "m", "--backend", "gpu");
        assertMessage("option --port needs a value", "--model", "m", "--port");
        assertMessage("unexpected argument 'extra'", "--model", "m", "extra");
    }

    private static void assertMessage(String part, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerOptions.parse(args));
        assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
    }
}
