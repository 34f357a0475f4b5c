// The inputs of a `run` or `bench`: tensor files matched to the model's inputs, or seeded noise of their shapes.
package dev.condense.cli;

import dev.condense.io.TensorFileException;
import dev.condense.io.TensorFiles;
import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * An {@code --input} is a file (.npy or .pb), {@code random}, or either after {@code NAME=} for
 * models with several inputs. A random input is standard normal noise from a seed, shaped as the
 * model declares; a symbolic dimension takes the size a file input gave it, else the batch size
 * on axis 0. The tensors are named after the model's inputs, whatever the files call them.
 */
final class Feeds {

    static final String RANDOM = "random";

    /** One input and where it comes from (for reports). */
    record Feed(String name, Tensor tensor, String source) {
    }

    private Feeds() {
    }

    /** The model's inputs from {@code --input} values, in the model's order. */
    static List<Feed> fromSpecs(List<ValueInfo> inputs, List<String> specs, long seed)
            throws UserException, TensorFileException {
        Map<String, String> sources = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String name;
            String source;
            if (eq > 0 && find(inputs, spec.substring(0, eq)) != null) {
                name = spec.substring(0, eq);
                source = spec.substring(eq + 1);
            } else if (inputs.size() == 1) {
                name = inputs.getFirst().name();
                source = spec;
            } else if (spec.equals(RANDOM) && specs.size() == 1) {
                inputs.forEach(v -> sources.put(v.name(), RANDOM));
                continue;
            } else {
                throw new UserException("--input '" + spec + "': the model has " + inputs.size() + " inputs ("
                        + list(inputs) + "); give each as --input NAME=FILE or NAME=random");
            }
            if (source.isEmpty()) {
                throw new UserException("--input '" + spec + "' names no file; give FILE.pb, FILE.npy or random");
            }
            if (sources.put(name, source) != null) {
                throw new UserException("--input gives '" + name + "' twice");
            }
        }
        for (ValueInfo v : inputs) {
            if (!sources.containsKey(v.name())) {
                throw new UserException("no --input for '" + v.name() + "'; the model's inputs are " + list(inputs)
                        + " (give --input NAME=FILE or NAME=random for each)");
            }
        }
        // Files first: their sizes bind the symbols the random inputs are then shaped by.
        Map<String, Tensor> tensors = new HashMap<>();
        Map<String, Long> symbols = new HashMap<>();
        for (ValueInfo v : inputs) {
            String source = sources.get(v.name());
            if (!source.equals(RANDOM)) {
                Tensor t = TensorFiles.read(Path.of(source)).withName(v.name());
                tensors.put(v.name(), t);
                bindSymbols(v, t, symbols);
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        List<Feed> feeds = new java.util.ArrayList<>();
        for (ValueInfo v : inputs) {
            String source = sources.get(v.name());
            if (source.equals(RANDOM)) {
                feeds.add(new Feed(v.name(), random(v, shapeFor(v, symbols, 1), rng.split()), "random, seed " + seed));
            } else {
                feeds.add(new Feed(v.name(), tensors.get(v.name()), source));
            }
        }
        return feeds;
    }

    /** Random tensors for every input, symbolic axis 0 set to {@code batch}. */
    static List<Feed> random(List<ValueInfo> inputs, int batch, long seed) throws UserException {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Feed> feeds = new java.util.ArrayList<>();
        for (ValueInfo v : inputs) {
            long[] shape = shapeFor(v, Map.of(), batch);
            if (batch != 1 && v.shape().isPresent() && !v.shape().get().isEmpty()
                    && v.shape().get().getFirst() instanceof Dim.Fixed(long size) && size != batch) {
                throw new UserException("--batch " + batch + ": input '" + v.name() + "' is " + v.typeString()
                        + ", its batch is fixed at " + size);
            }
            feeds.add(new Feed(v.name(), random(v, shape, rng.split()), "random, seed " + seed));
        }
        return feeds;
    }

    static Map<String, Tensor> asMap(List<Feed> feeds) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        feeds.forEach(f -> m.put(f.name(), f.tensor()));
        return m;
    }

    /** "float32[1, 3, 224, 224]". */
    static String typeOf(Tensor t) {
        return t.dtype().displayName() + Arrays.toString(t.dims());
    }

    private static void bindSymbols(ValueInfo v, Tensor t, Map<String, Long> symbols) {
        if (v.shape().isEmpty() || v.shape().get().size() != t.rank()) {
            return; // the Session reports the mismatch with the model's words
        }
        List<Dim> dims = v.shape().get();
        for (int i = 0; i < dims.size(); i++) {
            if (dims.get(i) instanceof Dim.Symbolic(String symbol)) {
                symbols.putIfAbsent(symbol, t.dim(i));
            }
        }
    }

    /** The declared shape with symbols bound, axis 0 defaulting to {@code batch}; other open sizes are errors. */
    private static long[] shapeFor(ValueInfo v, Map<String, Long> symbols, int batch) throws UserException {
        if (v.shape().isEmpty()) {
            throw new UserException("input '" + v.name() + "' has no declared shape, so a random one cannot be made;"
                    + " give a file with --input " + v.name() + "=FILE");
        }
        List<Dim> dims = v.shape().get();
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Dim d = dims.get(i);
            if (d instanceof Dim.Fixed(long size)) {
                shape[i] = size;
            } else if (d instanceof Dim.Symbolic(String symbol) && symbols.containsKey(symbol)) {
                shape[i] = symbols.get(symbol);
            } else if (i == 0) {
                shape[i] = batch;
            } else {
                throw new UserException("input '" + v.name() + "' is " + v.typeString() + ": dimension " + i
                        + " is open, so a random one cannot be made; give a file with --input " + v.name() + "=FILE");
            }
        }
        return shape;
    }

    private static Tensor random(ValueInfo v, long[] shape, SplittableRandom rng) throws UserException {
        long count = Tensor.elementCount(shape);
        if (count > Integer.MAX_VALUE) {
            throw new UserException("input '" + v.name() + "' of shape " + Arrays.toString(shape) + " has "
                    + count + " elements, more than a random input can hold");
        }
        int n = (int) count;
        return switch (v.dtype()) {
            case FLOAT -> {
                float[] values = new float[n];
                for (int i = 0; i < n; i++) {
                    values[i] = (float) rng.nextGaussian();
                }
                yield Tensor.ofFloats(v.name(), shape, values);
            }
            case DOUBLE -> {
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    values[i] = rng.nextGaussian();
                }
                yield Tensor.ofDoubles(v.name(), shape, values);
            }
            default -> throw new UserException("input '" + v.name() + "' is " + v.typeString() + "; random inputs are"
                    + " " + DataType.FLOAT.displayName() + " or " + DataType.DOUBLE.displayName()
                    + " only: give a file with --input " + v.name() + "=FILE");
        };
    }

    private static ValueInfo find(List<ValueInfo> inputs, String name) {
        return inputs.stream().filter(v -> v.name().equals(name)).findFirst().orElse(null);
    }

    private static String list(List<ValueInfo> inputs) {
        return inputs.stream().map(ValueInfo::toString).collect(Collectors.joining(", "));
    }
}
