// The one table of the vector engine's kernels: (domain, op, since-version) to factory.
package dev.condense.runtime.vector.ops;

import dev.condense.runtime.vector.KernelFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Explicit, no reflection or scanning. A kernel registered since version v serves every opset
 * from v until the next registration of the same op; a lookup miss names what exists.
 */
public final class OpRegistry {

    /** One registration. */
    public record Entry(String domain, String op, int since, KernelFactory factory) {
    }

    private static final List<Entry> ENTRIES = List.of(
            // op, since-version, factory: one line per kernel, grouped as in the ONNX operator list
            // Conv, Gemm, MatMul: registered by the GEMM kernels
            new Entry("", "Conv", 1, Conv::create),
            new Entry("", "Gemm", 1, Gemm::create),
            new Entry("", "MatMul", 1, MatMul::create),
            new Entry("", "Identity", 1, Reshape::identity)
    );

    private static final Map<String, List<Entry>> BY_OP = index();

    private OpRegistry() {
    }

    private static Map<String, List<Entry>> index() {
        Map<String, List<Entry>> m = new TreeMap<>();
        for (Entry e : ENTRIES) {
            m.computeIfAbsent(key(e.domain(), e.op()), k -> new ArrayList<>()).add(e);
        }
        m.values().forEach(l -> l.sort(Comparator.comparingInt(Entry::since)));
        return Collections.unmodifiableMap(m);
    }

    private static String key(String domain, String op) {
        return (domain.equals("ai.onnx") ? "" : domain) + "::" + op;
    }

    /** The kernel serving {@code op} at {@code opset}: the latest registration not newer than it. */
    public static Optional<Entry> find(String domain, String op, int opset) {
        List<Entry> versions = BY_OP.get(key(domain, op));
        if (versions == null) {
            return Optional.empty();
        }
        Entry best = null;
        for (Entry e : versions) {
            if (e.since() <= opset) {
                best = e;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The versions registered for {@code op}, e.g. "1, 6, 13"; empty when none. */
    public static String versions(String domain, String op) {
        List<Entry> versions = BY_OP.getOrDefault(key(domain, op), List.of());
        return versions.stream().map(e -> Integer.toString(e.since())).collect(Collectors.joining(", "));
    }

    /** Every registration, in table order. */
    public static List<Entry> entries() {
        return ENTRIES;
    }

    /** The default-domain ops with a kernel, sorted. */
    public static List<String> ops() {
        return ENTRIES.stream().map(Entry::op).distinct().sorted().toList();
    }
}
