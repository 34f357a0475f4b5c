// The static-quantization options `quantize` and `compress --int8` share, and the calibration set they build.
package dev.condense.cli;

import dev.condense.data.Batch;
import dev.condense.data.Batches;
import dev.condense.data.Dataset;
import dev.condense.data.DatasetException;
import dev.condense.data.Split;
import dev.condense.ir.Dim;
import dev.condense.ir.Model;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.quantize.int8.CalibrationMethod;
import dev.condense.quantize.int8.QuantType;
import dev.condense.quantize.int8.QuantizationException;
import dev.condense.quantize.int8.QuantizeOptions;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * {@code --calibration fashion-mnist|DIR|random}, {@code --samples}, {@code --method}, and the
 * weight and activation types. Samples are drawn at random (seeded) from the training split, so
 * the test split stays unseen by calibration.
 */
final class CalibrationArgs {

    @Option(names = "--calibration", paramLabel = "fashion-mnist|DIR|random",
            description = "calibration inputs: 'fashion-mnist' (training split), a folder of images (its train/"
                    + " subfolder), or 'random' (standard normal inputs: for smoke tests only)")
    String calibration;

    @Option(names = "--samples", paramLabel = "N",
            description = "calibration samples, drawn at random from the training split (default: 500; 16 for random)")
    Integer samples;

    @Option(names = "--calibration-batch", paramLabel = "N", defaultValue = "50",
            description = "samples per calibration run (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--method", paramLabel = "M", defaultValue = "minmax",
            description = "activation ranges: minmax, percentile or entropy (default: ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--percentile", paramLabel = "P", defaultValue = "99.99",
            description = "the percentile of |x| kept by --method percentile (default: ${DEFAULT-VALUE})")
    double percentile;

    @Option(names = "--per-tensor", description = "one weight scale per tensor instead of one per output channel")
    boolean perTensor;

    @Option(names = "--activations", paramLabel = "T", defaultValue = "uint8",
            description = "uint8 or int8 activations (default: ${DEFAULT-VALUE})")
    String activations;

    @Option(names = "--calibration-seed", paramLabel = "S", defaultValue = "20161103",
            description = "which samples calibration draws, and the random inputs (default: ${DEFAULT-VALUE})")
    long seed;

    boolean random() {
        return calibration != null && calibration.equalsIgnoreCase("random");
    }

    int sampleCount() throws UserException {
        int n = samples != null ? samples : random() ? 16 : 500;
        if (n < 1) {
            throw new UserException("--samples must be at least 1, got " + n);
        }
        return n;
    }

    /** The quantization options these flags choose (format QDQ, nothing excluded). */
    QuantizeOptions options() throws UserException {
        try {
            return QuantizeOptions.defaults().withPerChannel(!perTensor).withActivations(QuantType.parse(activations))
                    .withMethod(CalibrationMethod.parse(method, percentile));
        } catch (QuantizationException e) {
            throw new UserException(e.getMessage());
        }
    }

    /** "fashion-mnist, 500 samples, minmax": what the model's metadata records. */
    String label(int n) throws UserException {
        return (random() ? "random" : calibration) + ", " + n + " samples, " + options().method().label();
    }

    DatasetArgs dataset(Path dataDir) {
        DatasetArgs d = new DatasetArgs();
        d.dataset = calibration;
        d.data = dataDir;
        return d;
    }

    /** The calibration set as feeds for {@code model}; warns on standard error when it is random. */
    List<Map<String, Tensor>> batches(Model model, Path dataDir, PrintWriter err) throws UserException, DatasetException {
        if (calibration == null) {
            throw new UserException("--calibration is required for static quantization: fashion-mnist, an image folder, or random");
        }
        if (batch < 1 || batch > 65536) {
            throw new UserException("--calibration-batch must be between 1 and 65536, got " + batch);
        }
        int n = sampleCount();
        if (random()) {
            err.println("condense: warning: random calibration inputs are for smoke tests only; ranges from them do not"
                    + " reflect real data, and accuracy will suffer");
            return randomBatches(model, n);
        }
        ValueInfo in = singleInput(model);
        Dataset train = DatasetArgs.normalizedFor(dataset(dataDir).open(Split.TRAIN, EvalCommand.sampleShape(model)), model);
        if (train.size() == 0) {
            throw new UserException("the calibration set " + calibration + " has no images");
        }
        int take = Math.min(n, train.size());
        int[] all = new int[train.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < take; i++) {
            int j = i + rng.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] chosen = Arrays.copyOf(all, take);
        Arrays.sort(chosen);
        OptionalInt fixed = fixedBatch(in);
        int b = fixed.orElse(batch);
        List<Map<String, Tensor>> out = new ArrayList<>();
        Batches batches = train.subset(chosen).batches(b);
        while (batches.hasNext()) {
            Batch x = batches.next();
            if (x.size() != b && fixed.isPresent()) {
                break;
            }
            out.add(Map.of(in.name(), x.toTensor(in.name())));
        }
        return out;
    }

    private List<Map<String, Tensor>> randomBatches(Model model, int n) throws UserException {
        List<ValueInfo> inputs = model.graph().inputs().stream()
                .filter(v -> !model.graph().initializers().containsKey(v.name())).toList();
        List<Map<String, Tensor>> out = new ArrayList<>();
        int fixed = inputs.size() == 1 ? fixedBatch(inputs.getFirst()).orElse(0) : 0;
        int per = fixed > 0 ? fixed : Math.min(batch, n);
        for (int done = 0, i = 0; done < n; done += per, i++) {
            int b = fixed > 0 ? fixed : Math.min(per, n - done);
            out.add(Feeds.asMap(Feeds.random(inputs, b, seed + i)));
        }
        return out;
    }

    private static OptionalInt fixedBatch(ValueInfo in) {
        if (in.shape().isPresent() && !in.shape().get().isEmpty() && in.shape().get().getFirst() instanceof Dim.Fixed(long size)) {
            return OptionalInt.of(Math.toIntExact(size));
        }
        return OptionalInt.empty();
    }

    private static ValueInfo singleInput(Model model) throws UserException {
        List<ValueInfo> inputs = model.graph().inputs().stream()
                .filter(v -> !model.graph().initializers().containsKey(v.name())).toList();
        if (inputs.size() != 1) {
            throw new UserException("calibrating on a dataset feeds one image input; the model has " + inputs.size()
                    + ": use --calibration random");
        }
        return inputs.getFirst();
    }
}
