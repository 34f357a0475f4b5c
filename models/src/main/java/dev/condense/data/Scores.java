// Where a label ranks among a classifier's scores: what top-1 and top-5 accuracy count, in one definition for every engine.
package dev.condense.data;

/** Ranking of class scores (logits or probabilities) for accuracy. */
public final class Scores {

    private Scores() {
    }

    /**
     * How many of the {@code width} scores at {@code offset} beat the score of {@code label}; a tie
     * counts against the label when the other class comes first, as a stable arg-sort would order
     * them. Rank 0 is a top-1 hit, rank below 5 a top-5 hit.
     */
    public static int rankOf(float[] scores, int offset, int width, int label) {
        float target = scores[offset + label];
        int rank = 0;
        for (int c = 0; c < width; c++) {
            float v = scores[offset + c];
            if (v > target || (v == target && c < label)) {
                rank++;
            }
        }
        return rank;
    }
}
