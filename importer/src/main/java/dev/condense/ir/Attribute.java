// A typed node attribute as ONNX defines them: one float, int, string, tensor or graph, or a list of them.
package dev.condense.ir;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Value of a node attribute. Op-specific typed records (see {@code dev.condense.ops}) read these once. */
public sealed interface Attribute {

    /** ONNX's name of this attribute type, for messages. */
    String typeName();

    record FloatValue(float value) implements Attribute {
        @Override
        public String typeName() {
            return "FLOAT";
        }
    }

    record IntValue(long value) implements Attribute {
        @Override
        public String typeName() {
            return "INT";
        }
    }

    record StringValue(String value) implements Attribute {
        public StringValue {
            Objects.requireNonNull(value);
        }

        @Override
        public String typeName() {
            return "STRING";
        }
    }

    record TensorValue(Tensor value) implements Attribute {
        public TensorValue {
            Objects.requireNonNull(value);
        }

        @Override
        public String typeName() {
            return "TENSOR";
        }
    }

    record GraphValue(Graph value) implements Attribute {
        public GraphValue {
            Objects.requireNonNull(value);
        }

        @Override
        public String typeName() {
            return "GRAPH";
        }
    }

    record Floats(float[] values) implements Attribute {
        public Floats {
            values = values.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        @Override
        public String typeName() {
            return "FLOATS";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Floats f && Arrays.equals(values, f.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.toString(values);
        }
    }

    record Ints(long[] values) implements Attribute {
        public Ints {
            values = values.clone();
        }

        @Override
        public long[] values() {
            return values.clone();
        }

        public int size() {
            return values.length;
        }

        @Override
        public String typeName() {
            return "INTS";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Ints f && Arrays.equals(values, f.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.toString(values);
        }
    }

    record Strings(List<String> values) implements Attribute {
        public Strings {
            values = List.copyOf(values);
        }

        @Override
        public String typeName() {
            return "STRINGS";
        }
    }

    record Tensors(List<Tensor> values) implements Attribute {
        public Tensors {
            values = List.copyOf(values);
        }

        @Override
        public String typeName() {
            return "TENSORS";
        }
    }

    record Graphs(List<Graph> values) implements Attribute {
        public Graphs {
            values = List.copyOf(values);
        }

        @Override
        public String typeName() {
            return "GRAPHS";
        }
    }

    static Attribute of(long value) {
        return new IntValue(value);
    }

    static Attribute of(float value) {
        return new FloatValue(value);
    }

    static Attribute of(String value) {
        return new StringValue(value);
    }

    static Attribute ints(long... values) {
        return new Ints(values);
    }

    static Attribute floats(float... values) {
        return new Floats(values);
    }

    static Attribute of(Tensor value) {
        return new TensorValue(value);
    }
}
