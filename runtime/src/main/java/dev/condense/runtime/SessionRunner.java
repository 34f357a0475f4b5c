// The quantizer's ModelRunner on a runtime Session: one session per model, every output returned as floats.
package dev.condense.runtime;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.quantize.int8.ModelRunner;
import dev.condense.quantize.int8.QuantizationException;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Calibration asks for the same model once per batch; its session is compiled once and kept until
 * {@link #close} (at most four at a time: the fp32 probe, the quantized model and their twins).
 */
public final class SessionRunner implements ModelRunner, AutoCloseable {

    private final SessionOptions options;
    private final Map<Model, Session> sessions = new IdentityHashMap<>();

    public SessionRunner(SessionOptions options) {
        this.options = options;
    }

    @Override
    public Map<String, float[]> run(Model model, Map<String, Tensor> feed) throws QuantizationException {
        try {
            Session s = sessions.get(model);
            if (s == null) {
                if (sessions.size() >= 4) {
                    close();
                }
                s = Session.open(model, options);
                sessions.put(model, s);
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            try (Result r = s.run(feed)) {
                for (Map.Entry<String, Tensor> e : r.asMap().entrySet()) {
                    out.put(e.getKey(), e.getValue().toFloatArray());
                }
            }
            return out;
        } catch (ModelLoadException | SessionException e) {
            throw new QuantizationException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        sessions.values().forEach(Session::close);
        sessions.clear();
    }
}
