// Top-1 and top-5 accuracy of a model on a labelled dataset, run through a runtime Session (vector or ONNX Runtime).
package dev.condense.cli;

import dev.condense.data.Batch;
import dev.condense.data.Batches;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Scores;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionException;
import dev.condense.runtime.SessionOptions;

import java.util.List;
import java.util.Map;

/**
 * What a model gets right on a dataset. Images go through the session in batches (the model's
 * own batch size when its input fixes one); {@code seconds} covers the runs alone, not reading
 * the images, so {@link #imagesPerSecond()} is the engine's throughput.
 */
record Accuracy(double top1, double top5, int images, double seconds) {

    /** Default images per run when the model's batch dimension is free. */
    static final int DEFAULT_BATCH = 100;

    double imagesPerSecond() {
        return seconds > 0 ? images / seconds : 0;
    }

    /** Evaluates {@code model} on {@code data} (already normalized as the model expects). */
    static Accuracy of(Model model, Dataset data, SessionOptions options, int batch)
            throws ModelLoadException, SessionException, DatasetException, UserException {
        try (Session session = Session.open(model, options)) {
            return of(session, data, batch);
        }
    }

    static Accuracy of(Session session, Dataset data, int batch) throws SessionException, DatasetException, UserException {
        return of(session, data, batch, null);
    }

    /**
     * Evaluates through an open session, reporting each batch to {@code progress} (stage
     * "evaluating", in images) when it is not null.
     */
    static Accuracy of(Session session, Dataset data, int batch, Progress progress)
            throws SessionException, DatasetException, UserException {
        List<ValueInfo> inputs = session.inputs();
        if (inputs.size() != 1) {
            throw new UserException("evaluation feeds one image input; the model has " + inputs.size());
        }
        if (data.size() == 0) {
            throw new UserException("the dataset has no images to evaluate on");
        }
        ValueInfo input = inputs.getFirst();
        boolean fixedBatch = input.shape().isPresent() && !input.shape().get().isEmpty()
                && input.shape().get().getFirst() instanceof Dim.Fixed;
        int n = fixedBatch ? Math.toIntExact(((Dim.Fixed) input.shape().get().getFirst()).size()) : batch;
        if (n < 1) {
            throw new UserException("the model's input fixes a batch of " + n + " images");
        }
        long top1 = 0;
        long top5 = 0;
        long nanos = 0;
        int classes = data.classNames().size();
        Batches batches = data.batches(n);
        long start = System.nanoTime();
        int seen = 0;
        while (batches.hasNext()) {
            Batch b = batches.next();
            if (fixedBatch && b.size() != n) {
                throw new UserException("the model takes batches of exactly " + n + " and " + data.size()
                        + " images do not divide into them; evaluate with --limit a multiple of " + n);
            }
            long t = System.nanoTime();
            float[] logits;
            try (Result r = session.run(Map.of(input.name(), b.toTensor(input.name())))) {
                nanos += System.nanoTime() - t;
                Tensor out = r.first();
                logits = out.toFloatArray();
            } catch (IllegalArgumentException e) {
                throw new UserException("the model does not take the dataset's images: " + e.getMessage());
            }
            int width = logits.length / b.size();
            if (width < classes) {
                throw new UserException("the model gives " + width + " outputs per image; the dataset has " + classes
                        + " classes");
            }
            for (int i = 0; i < b.size(); i++) {
                int rank = Scores.rankOf(logits, i * width, width, b.labels()[i]);
                top1 += rank == 0 ? 1 : 0;
                top5 += rank < 5 ? 1 : 0;
            }
            seen += b.size();
            if (progress != null) {
                double elapsed = (System.nanoTime() - start) / 1e9;
                progress.update("evaluating", seen, data.size(), String.format(java.util.Locale.ROOT, "top-1 %.2f%% so far",
                        100.0 * top1 / seen), elapsed / seen * (data.size() - seen));
            }
        }
        return new Accuracy((double) top1 / data.size(), (double) top5 / data.size(), data.size(), nanos / 1e9);
    }
}
