// Models the run and bench tests write to disk: the zoo's LeNet-5 and graphs of Identity nodes every backend runs.
package dev.condense.cli;

import dev.condense.ir.DataType;
import dev.condense.ir.Dim;
import dev.condense.ir.Graph;
import dev.condense.ir.Model;
import dev.condense.ir.Node;
import dev.condense.ir.ValueInfo;
import dev.condense.models.Zoo;
import dev.condense.models.ZooSpec;
import dev.condense.onnx.OnnxWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

final class TestModels {

    private TestModels() {
    }

    /** LeNet-5 at Fashion-MNIST scale: input float32[N, 1, 28, 28], output logits float32[N, 10]. */
    static Path lenet(Path dir) throws IOException {
        Path file = dir.resolve("lenet5.onnx");
        OnnxWriter.write(Zoo.get("lenet-5").build(ZooSpec.fashionMnist()), file, OnnxWriter.Options.inline());
        return file;
    }

    /** Inputs {@code name: float32[dims]}, each copied by Identity to {@code name_out}; "N" is symbolic. */
    static Path identities(Path dir, String file, List<String> names, Object... dims) throws IOException {
        List<Dim> shape = new ArrayList<>();
        for (Object d : dims) {
            shape.add(d instanceof String s ? new Dim.Symbolic(s) : new Dim.Fixed(((Number) d).longValue()));
        }
        List<Node> nodes = new ArrayList<>();
        List<ValueInfo> inputs = new ArrayList<>();
        List<ValueInfo> outputs = new ArrayList<>();
        for (String name : names) {
            inputs.add(ValueInfo.of(name, DataType.FLOAT, shape));
            outputs.add(ValueInfo.of(name + "_out", DataType.FLOAT, shape));
            nodes.add(Node.of("copy_" + name, "Identity", List.of(name), List.of(name + "_out")));
        }
        Path out = dir.resolve(file);
        OnnxWriter.write(Model.of(new Graph("identities", nodes, inputs, outputs, Map.of(), Map.of()), 13), out,
                OnnxWriter.Options.inline());
        return out;
    }
}
