// Runs the ONNX conformance cases whose ops all have vector kernels and compares every output with the expected one.
package dev.condense.runtime.vector;

import dev.condense.ir.Model;
import dev.condense.ir.ModelLoadException;
import dev.condense.ir.Node;
import dev.condense.ir.Tensor;
import dev.condense.ir.ValueInfo;
import dev.condense.onnx.OnnxReader;
import dev.condense.runtime.Backend;
import dev.condense.runtime.Result;
import dev.condense.runtime.Session;
import dev.condense.runtime.SessionOptions;
import dev.condense.runtime.vector.ops.OpRegistry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A case is run when every node of its graph is an op with a kernel in {@link OpRegistry} (the
 * selection grows by itself as kernels are registered). It opens a vector Session with two
 * threads, feeds {@code input_N.pb} and compares each {@code output_N.pb} elementwise with
 * {@code |actual - expected| <= ATOL + RTOL * |expected|}. Cases that cannot pass are listed in
 * {@link #KNOWN_SKIPS} one by one with the reason; a listed case that passes fails the build, so
 * the list stays true. The data is the Debian package libonnx-testdata (system property
 * {@code onnx.testdata}); without it every test here is skipped.
 */
class VectorConformanceTest {

    static final double RTOL = 1e-3;
    static final double ATOL = 1e-5;

    /** The folders of test cases under the data root: ONNX's backend node tests, then PyTorch's converted modules. */
    static final List<String> FOLDERS = List.of("node", "pytorch-converted", "pytorch-operator", "simple");

    /** Passing cases per folder, measured when this was written: floors a change may not fall below. */
    static final Map<String, Integer> MIN_PASSING = Map.of("node", 349, "pytorch-converted", 80, "pytorch-operator", 32,
            "simple", 1);

    // Why cases cannot pass; each skipped case names one.
    static final String BOOL_OUTPUT = "asks for Dropout's bool mask; the engine computes float32 only";
    static final String ARGMAX_INDICES = "asks for MaxPool's int64 Indices output; the engine computes float32 only";
    static final String TRAINING_DROPOUT = "training-mode Dropout is random (its ratio is fed at run time); the"
            + " engine runs inference";
    static final String TRAINING_BATCH_NORM = "training_mode = 1 normalizes with batch statistics and outputs running"
            + " ones; the engine runs inference";
    static final String CUBIC = "cubic resampling is not implemented (nearest and linear are)";
    static final String RUNTIME_SCALES = "the scales are a float graph input fed at run time; the engine needs them"
            + " constant (they fix the coordinate mapping when the plan is built)";
    static final String CROP_AND_RESIZE = "tf_crop_and_resize is not implemented (and its roi is fed at run time)";

    static String runsIn(String type) {
        return "its values are " + type + " at run time; the engine computes float32 only";
    }

    /** Cases that cannot pass on the vector engine, each with the reason. */
    static final Map<String, String> KNOWN_SKIPS = knownSkips();

    /** Registered ops without a passing case in the suite, each with the reason. */
    static final Map<String, String> OPS_WITHOUT_CASE = Map.of(
            "Upsample", "the suite's one Upsample case (node/test_upsample_nearest) feeds its scales at run time;"
                    + " ResizeTest covers the op with constant scales");

    private static Map<String, String> knownSkips() {
        Map<String, String> m = new TreeMap<>();
        m.put("node/test_batchnorm_epsilon_training_mode", TRAINING_BATCH_NORM);
        m.put("node/test_batchnorm_example_training_mode", TRAINING_BATCH_NORM);
        m.put("node/test_dropout_default_mask", BOOL_OUTPUT);
        m.put("node/test_dropout_default_mask_ratio", BOOL_OUTPUT);
        m.put("node/test_max_float16", runsIn("float16"));
        m.put("node/test_max_float64", runsIn("float64"));
        m.put("node/test_max_int16", runsIn("int16"));
        m.put("node/test_max_int64", runsIn("int64"));
        m.put("node/test_max_uint16", runsIn("uint16"));
        m.put("node/test_max_uint32", runsIn("uint32"));
        m.put("node/test_max_uint64", runsIn("uint64"));
        m.put("node/test_maxpool_with_argmax_2d_precomputed_pads", ARGMAX_INDICES);
        m.put("node/test_maxpool_with_argmax_2d_precomputed_strides", ARGMAX_INDICES);
        m.put("node/test_min_float16", runsIn("float16"));
        m.put("node/test_min_float64", runsIn("float64"));
        m.put("node/test_min_int16", runsIn("int16"));
        m.put("node/test_min_int64", runsIn("int64"));
        m.put("node/test_min_uint16", runsIn("uint16"));
        m.put("node/test_min_uint32", runsIn("uint32"));
        m.put("node/test_min_uint64", runsIn("uint64"));
        m.put("node/test_pow_types_float", runsIn("int64"));
        m.put("node/test_pow_types_int32_float32", runsIn("int32"));
        m.put("node/test_pow_types_int32_int32", runsIn("int32"));
        m.put("node/test_pow_types_int64_float32", runsIn("int64"));
        m.put("node/test_pow_types_int64_int64", runsIn("int64"));
        m.put("node/test_resize_downsample_scales_cubic", CUBIC);
        m.put("node/test_resize_downsample_scales_cubic_A_n0p5_exclude_outside", CUBIC);
        m.put("node/test_resize_downsample_scales_cubic_align_corners", CUBIC);
        m.put("node/test_resize_downsample_scales_linear", RUNTIME_SCALES);
        m.put("node/test_resize_downsample_scales_linear_align_corners", RUNTIME_SCALES);
        m.put("node/test_resize_downsample_scales_nearest", RUNTIME_SCALES);
        m.put("node/test_resize_downsample_sizes_cubic", CUBIC);
        m.put("node/test_resize_tf_crop_and_resize", CROP_AND_RESIZE);
        m.put("node/test_resize_upsample_scales_cubic", CUBIC);
        m.put("node/test_resize_upsample_scales_cubic_A_n0p5_exclude_outside", CUBIC);
        m.put("node/test_resize_upsample_scales_cubic_align_corners", CUBIC);
        m.put("node/test_resize_upsample_scales_cubic_asymmetric", CUBIC);
        m.put("node/test_resize_upsample_scales_linear", RUNTIME_SCALES);
        m.put("node/test_resize_upsample_scales_linear_align_corners", RUNTIME_SCALES);
        m.put("node/test_resize_upsample_scales_nearest", RUNTIME_SCALES);
        m.put("node/test_resize_upsample_sizes_cubic", CUBIC);
        m.put("node/test_training_dropout", TRAINING_DROPOUT);
        m.put("node/test_training_dropout_default", TRAINING_DROPOUT);
        m.put("node/test_training_dropout_default_mask", BOOL_OUTPUT);
        m.put("node/test_training_dropout_mask", BOOL_OUTPUT);
        m.put("node/test_training_dropout_zero_ratio", TRAINING_DROPOUT);
        m.put("node/test_training_dropout_zero_ratio_mask", BOOL_OUTPUT);
        m.put("node/test_upsample_nearest", RUNTIME_SCALES);
        return m;
    }

    /** One case's outcome: passed, or the failure message. */
    record Outcome(String name, Set<String> ops, String failure) {
        boolean passed() {
            return failure == null;
        }
    }

    private static Map<String, Outcome> outcomes;

    /** Every selected case, run once per JVM and shared by the tests below. */
    static synchronized Map<String, Outcome> outcomes() {
        if (outcomes == null) {
            Map<String, Outcome> m = new TreeMap<>();
            for (Path dir : cases()) {
                Model model;
                try {
                    model = OnnxReader.read(dir.resolve("model.onnx"));
                } catch (ModelLoadException e) {
                    continue; // types or constructs the importer does not hold: not a vector engine case
                }
                Set<String> ops = new TreeSet<>();
                boolean selected = true;
                for (Node n : model.graph().nodes()) {
                    ops.add(n.opType());
                    selected &= n.isDefaultDomain() && OpRegistry.find(n.domain(), n.opType(), model.opset()).isPresent();
                }
                if (selected) {
                    String name = dir.getParent().getFileName() + "/" + dir.getFileName();
                    m.put(name, new Outcome(name, ops, run(dir, model)));
                }
            }
            outcomes = m;
        }
        return outcomes;
    }

    private static List<Path> cases() {
        String property = System.getProperty("onnx.testdata");
        Assumptions.assumeTrue(property != null, "system property onnx.testdata is not set (the parent pom sets it)");
        Path root = Path.of(property);
        Assumptions.assumeTrue(Files.isDirectory(root.resolve("node")), "ONNX conformance data not found at " + root
                + " (system property onnx.testdata): install the Debian package libonnx-testdata");
        List<Path> cases = new ArrayList<>();
        for (String folder : FOLDERS) {
            Path dir = root.resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().forEach(cases::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cases;
    }

    /** Runs one case; null when every output matches, else what went wrong. */
    private static String run(Path dir, Model model) {
        try {
            Path set = dir.resolve("test_data_set_0");
            List<ValueInfo> inputs = model.graph().inputs().stream()
                    .filter(v -> !model.graph().initializers().containsKey(v.name())).toList();
            Map<String, Tensor> feeds = new LinkedHashMap<>();
            for (int i = 0; i < inputs.size(); i++) {
                Path file = set.resolve("input_" + i + ".pb");
                if (Files.isRegularFile(file)) {
                    feeds.put(inputs.get(i).name(), OnnxReader.readTensor(file));
                }
            }
            List<ValueInfo> outputs = model.graph().outputs();
            try (Session session = Session.open(model, SessionOptions.of(Backend.VECTOR).withThreads(2));
                 Result result = session.run(feeds)) {
                for (int i = 0; i < outputs.size(); i++) {
                    Tensor expected = OnnxReader.readTensor(set.resolve("output_" + i + ".pb"));
                    String mismatch = compare(expected, result.get(outputs.get(i).name()));
                    if (mismatch != null) {
                        return "output " + i + " '" + outputs.get(i).name() + "': " + mismatch;
                    }
                }
            }
            return null;
        } catch (Exception | AssertionError e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Null when {@code actual} matches {@code expected} in shape and, within tolerance, in every value. */
    static String compare(Tensor expected, Tensor actual) {
        if (!Arrays.equals(expected.dims(), actual.dims())) {
            return "shape " + Arrays.toString(actual.dims()) + ", expected " + Arrays.toString(expected.dims());
        }
        if (expected.dtype() != actual.dtype()) {
            return "type " + actual.dtype() + ", expected " + expected.dtype();
        }
        long n = expected.elementCount();
        for (long i = 0; i < n; i++) {
            double e = expected.getDouble(i);
            double a = actual.getDouble(i);
            boolean ok = Double.isNaN(e) ? Double.isNaN(a)
                    : e == a || Math.abs(a - e) <= ATOL + RTOL * Math.abs(e);
            if (!ok) {
                return "element " + i + " is " + a + ", expected " + e;
            }
        }
        return null;
    }

    @TestFactory
    Stream<DynamicTest> nodeTestsMatchExpectedOutputs() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Outcome o : outcomes().values()) {
            tests.add(DynamicTest.dynamicTest(o.name() + " " + o.ops(), () -> {
                String reason = KNOWN_SKIPS.get(o.name());
                if (reason != null) {
                    assertTrue(!o.passed(), o.name() + " passes now: remove it from KNOWN_SKIPS");
                    Assumptions.abort(o.name() + " is a known skip: " + reason);
                }
                if (!o.passed()) {
                    fail(o.name() + ": " + o.failure());
                }
            }));
        }
        return tests.stream();
    }

    @Test
    void passingCountsDoNotDropAndEveryOpIsCovered() {
        Map<String, Outcome> all = outcomes();
        Map<String, Integer> passing = new TreeMap<>();
        Map<String, Integer> selected = new TreeMap<>();
        Set<String> covered = new TreeSet<>();
        for (Outcome o : all.values()) {
            String folder = o.name().substring(0, o.name().indexOf('/'));
            selected.merge(folder, 1, Integer::sum);
            passing.merge(folder, o.passed() ? 1 : 0, Integer::sum);
            if (o.passed()) {
                covered.addAll(o.ops());
            }
        }
        for (String folder : FOLDERS) {
            System.out.printf("vector conformance %-18s %3d cases selected, %3d pass (floor %d)%n", folder,
                    selected.getOrDefault(folder, 0), passing.getOrDefault(folder, 0), MIN_PASSING.get(folder));
        }
        System.out.printf("vector conformance: %d known skips%n", KNOWN_SKIPS.size());
        all.values().stream().filter(o -> !o.passed() && !KNOWN_SKIPS.containsKey(o.name()))
                .forEach(o -> System.out.println("vector conformance FAILS " + o.name() + ": " + o.failure()));
        for (String folder : FOLDERS) {
            int count = passing.getOrDefault(folder, 0);
            assertTrue(count >= MIN_PASSING.get(folder), folder + ": " + count + " cases pass, fewer than the floor "
                    + MIN_PASSING.get(folder));
        }
        List<String> wrong = new ArrayList<>();
        for (String op : OpRegistry.ops()) {
            if (!covered.contains(op) && !OPS_WITHOUT_CASE.containsKey(op)) {
                wrong.add(op + " has no passing case");
            }
            if (covered.contains(op) && OPS_WITHOUT_CASE.containsKey(op)) {
                wrong.add(op + " is listed as without a case, but one passes: remove it from OPS_WITHOUT_CASE");
            }
        }
        assertEquals(List.of(), wrong, "every registered op needs a passing conformance case");
        List<String> stale = KNOWN_SKIPS.keySet().stream().filter(k -> !all.containsKey(k)).toList();
        assertEquals(List.of(), stale, "KNOWN_SKIPS names cases that are no longer selected");
    }
}
