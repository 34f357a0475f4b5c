// Per-layer settings written as rules ("fc6=0.09,conv=0.5"): a default, overridden by op type, family or layer name.
package dev.condense.layers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Settings per weight layer. A rule's key is a layer's full name ("classifier.fc6"), its short
 * name ("fc6", which may match several layers), an op type ("Conv", "Gemm", "MatMul") or a family
 * ("conv", "fc"), types and families ignoring case. The most specific rule wins: full name, then
 * short name, then op type, then family, then the default. Instances are immutable.
 *
 * @param <T> the setting, e.g. a keep fraction or a bit width
 */
public final class LayerRules<T> {

    /** How a setting was chosen for a layer, most specific first. */
    public enum Match {
        NAME, SHORT_NAME, OP_TYPE, KIND, DEFAULT;

        /** True when the rule names the layer itself rather than a whole class of layers. */
        public boolean namesLayer() {
            return this == NAME || this == SHORT_NAME;
        }
    }

    /** The setting a layer gets and the rule that gave it ({@code key} is "" for the default). */
    public record Resolved<T>(T value, String key, Match match) {
        public Resolved {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(match, "match");
        }
    }

    private static final Set<String> TYPE_WORDS = Set.of("conv", "fc", "gemm", "matmul");

    private final T fallback;
    private final Map<String, T> rules;

    private LayerRules(T fallback, Map<String, T> rules) {
        this.fallback = fallback;
        this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(rules));
    }

    /** No default: layers no rule names get no setting. */
    public static <T> LayerRules<T> none() {
        return new LayerRules<>(null, Map.of());
    }

    /** Every layer gets {@code value} unless a rule says otherwise. */
    public static <T> LayerRules<T> withDefault(T value) {
        return new LayerRules<>(Objects.requireNonNull(value, "value"), Map.of());
    }

    /**
     * Parses "fc6=0.09, conv=0.5": comma-separated {@code key=value} rules, and at most one bare
     * value, which becomes the default. {@code parseValue} turns a value's text into a setting and
     * throws {@link IllegalArgumentException} saying what is wrong with it.
     */
    public static <T> LayerRules<T> parse(String text, Function<String, T> parseValue) {
        LayerRules<T> out = none();
        for (String part : text.split(",")) {
            String rule = part.strip();
            if (rule.isEmpty()) {
                continue;
            }
            int eq = rule.indexOf('=');
            String key = eq < 0 ? "" : rule.substring(0, eq).strip();
            String valueText = rule.substring(eq + 1).strip();
            T value;
            try {
                value = parseValue.apply(valueText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rule '" + rule + "': " + e.getMessage(), e);
            }
            if (eq < 0) {
                if (out.fallback != null) {
                    throw new IllegalArgumentException("rules '" + text + "' give two defaults; give at most one bare value");
                }
                out = new LayerRules<>(value, out.rules);
            } else {
                if (key.isEmpty()) {
                    throw new IllegalArgumentException("rule '" + rule + "' has no layer name before '='");
                }
                if (out.rules.containsKey(key)) {
                    throw new IllegalArgumentException("rules '" + text + "' set '" + key + "' twice");
                }
                out = out.with(key, value);
            }
        }
        return out;
    }

    /** These rules plus {@code key -> value}, replacing a rule of the same key. */
    public LayerRules<T> with(String key, T value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isBlank()) {
            throw new IllegalArgumentException("a rule needs a layer name, op type or family as key");
        }
        Map<String, T> next = new LinkedHashMap<>(rules);
        next.put(key, value);
        return new LayerRules<>(fallback, next);
    }

    /** These rules with {@code other}'s rules added on top (and its default, when it has one). */
    public LayerRules<T> withAll(LayerRules<T> other) {
        Map<String, T> next = new LinkedHashMap<>(rules);
        next.putAll(other.rules);
        return new LayerRules<>(other.fallback != null ? other.fallback : fallback, next);
    }

    public Optional<T> fallback() {
        return Optional.ofNullable(fallback);
    }

    /** The keyed rules in the order they were given. */
    public Map<String, T> rules() {
        return rules;
    }

    /** The setting for {@code layer}, or empty when no rule names it and there is no default. */
    public Optional<Resolved<T>> resolve(WeightLayer layer) {
        T byName = rules.get(layer.name());
        if (byName != null) {
            return Optional.of(new Resolved<>(byName, layer.name(), Match.NAME));
        }
        String shortName = layer.shortName();
        T byShortName = rules.get(shortName);
        if (byShortName != null) {
            return Optional.of(new Resolved<>(byShortName, shortName, Match.SHORT_NAME));
        }
        for (Map.Entry<String, T> e : rules.entrySet()) {
            if (e.getKey().equalsIgnoreCase(layer.opType())) {
                return Optional.of(new Resolved<>(e.getValue(), e.getKey(), Match.OP_TYPE));
            }
        }
        for (Map.Entry<String, T> e : rules.entrySet()) {
            if (e.getKey().equalsIgnoreCase(layer.kind().label())) {
                return Optional.of(new Resolved<>(e.getValue(), e.getKey(), Match.KIND));
            }
        }
        return fallback == null ? Optional.empty() : Optional.of(new Resolved<>(fallback, "", Match.DEFAULT));
    }

    /**
     * Throws when a key is neither a type word (conv, fc, gemm, matmul) nor the full or short name
     * of one of {@code layers}: a misspelt layer name must not pass unnoticed.
     */
    public void checkKeys(List<WeightLayer> layers) {
        for (String key : rules.keySet()) {
            if (TYPE_WORDS.contains(key.toLowerCase(Locale.ROOT))) {
                continue;
            }
            boolean found = layers.stream().anyMatch(l -> l.name().equals(key) || l.shortName().equals(key));
            if (!found) {
                throw new IllegalArgumentException("rule '" + key + "' names no weight layer and no op type; the layers are "
                        + layers.stream().map(WeightLayer::name).collect(Collectors.joining(", "))
                        + "; the types are conv, fc, Conv, Gemm, MatMul");
            }
        }
    }

    @Override
    public String toString() {
        String keyed = rules.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
        if (fallback == null) {
            return keyed;
        }
        return keyed.isEmpty() ? String.valueOf(fallback) : fallback + "," + keyed;
    }
}
