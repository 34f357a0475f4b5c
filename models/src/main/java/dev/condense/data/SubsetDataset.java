// A view of chosen samples of another dataset, sharing its storage.
package dev.condense.data;

import java.util.List;

/** The samples of {@code source} at {@code indices}; created by {@link Dataset#subset} and {@link Dataset#take}. */
final class SubsetDataset implements Dataset {

    private final Dataset source;
    private final int[] indices;

    SubsetDataset(Dataset source, int[] indices) {
        int n = source.size();
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= n) {
                throw new IndexOutOfBoundsException("subset index " + indices[i] + " at position " + i
                        + " is outside [0, " + n + ") of " + source);
            }
        }
        this.source = source;
        this.indices = indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int[] sampleShape() {
        return source.sampleShape();
    }

    @Override
    public List<String> classNames() {
        return source.classNames();
    }

    @Override
    public int label(int index) {
        return source.label(indices[index]);
    }

    @Override
    public Normalization normalization() {
        return source.normalization();
    }

    @Override
    public Dataset withNormalization(Normalization normalization) {
        return new SubsetDataset(source.withNormalization(normalization), indices);
    }

    @Override
    public void read(int index, float[] out, int offset) throws DatasetException {
        source.read(indices[index], out, offset);
    }

    @Override
    public String toString() {
        return indices.length + " samples of " + source;
    }
}
