// Checks how layer rules parse and which rule a layer gets: name, short name, op type, family, default.
package dev.condense.layers;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerRulesTest {

    private final List<WeightLayer> layers = WeightLayer.of(WeightLayerTest.graph());

    private Map<String, Double> resolveAll(LayerRules<Double> rules) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (WeightLayer l : layers) {
            rules.resolve(l).ifPresent(r -> out.put(l.name(), r.value()));
        }
        return out;
    }

    @Test
    void mostSpecificRuleWins() {
        LayerRules<Double> rules = LayerRules.parse("0.5, fc=0.2, Gemm=0.3, conv1=0.8", Double::parseDouble);
        assertEquals(Map.of("conv1", 0.8, "w2", 0.5, "classifier.fc1", 0.3, "mm", 0.2), resolveAll(rules));
        assertEquals(LayerRules.Match.SHORT_NAME, rules.with("fc1", 0.1).resolve(layers.get(2)).orElseThrow().match());
        assertEquals(LayerRules.Match.NAME, rules.with("classifier.fc1", 0.1).resolve(layers.get(2)).orElseThrow().match());
        assertEquals(LayerRules.Match.DEFAULT, rules.resolve(layers.get(1)).orElseThrow().match());
    }

    @Test
    void withoutDefaultOnlyNamedLayersResolve() {
        LayerRules<Integer> rules = LayerRules.<Integer>none().with("conv", 8);
        assertEquals(8, rules.resolve(layers.get(0)).orElseThrow().value());
        assertTrue(rules.resolve(layers.get(2)).isEmpty());
    }

    @Test
    void rejectsUnknownKeysAndBadValues() {
        LayerRules<Double> rules = LayerRules.parse("fc9=0.1", Double::parseDouble);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> rules.checkKeys(layers));
        assertEquals("rule 'fc9' names no weight layer and no op type; the layers are conv1, w2, classifier.fc1, mm;"
                + " the types are conv, fc, Conv, Gemm, MatMul", e.getMessage());
        LayerRules.parse("FC=0.1,matmul=0.2,fc=0.3", Double::parseDouble).checkKeys(layers);
        assertThrows(IllegalArgumentException.class, () -> LayerRules.parse("0.1,0.2", Double::parseDouble));
        assertThrows(IllegalArgumentException.class, () -> LayerRules.parse("a=1,a=2", Double::parseDouble));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> LayerRules.parse("fc6=x", s -> {
                    throw new IllegalArgumentException("'" + s + "' is not a number");
                }));
        assertEquals("rule 'fc6=x': 'x' is not a number", bad.getMessage());
    }
}
