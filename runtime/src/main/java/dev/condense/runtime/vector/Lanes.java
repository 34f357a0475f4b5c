// The float vector shape of every vector kernel: the platform's preferred width, capped at 256 bits unless asked otherwise.
package dev.condense.runtime.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * One species for all kernels. On AVX-512 machines 512-bit vectors (16 floats) made the engine
 * slower, not faster: GEMM panels of 32 columns and row loops of 16 lanes waste most of their
 * work on the 7- to 28-wide maps of small and late layers. Measured on an AVX-512 Xeon, one
 * thread, against 256-bit vectors: VGG-16-BN at 28x28 4.38 ms against 1.68 ms, ResNet-18 at
 * 224x224 78.5 ms against 65.6 ms. So the engine takes at most 256 bits; the system property
 * {@code condense.vector.bits} (128, 256 or 512, at most what the platform has) sets it.
 */
public final class Lanes {

    /** The species every float kernel uses. */
    public static final VectorSpecies<Float> FLOAT = choose(System.getProperty("condense.vector.bits"));

    private static final int DEFAULT_MAX_BITS = 256;

    private Lanes() {
    }

    /**
     * The sum of a vector's lanes, lane 0 first. Not {@code reduceLanes(ADD)}: its order is left to
     * the implementation and differs between interpreted and compiled code, so one session would
     * give different last bits before and after the JIT warms up.
     */
    public static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    static VectorSpecies<Float> choose(String asked) {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = Math.min(DEFAULT_MAX_BITS, preferred);
        if (asked != null && !asked.isBlank()) {
            try {
                bits = Integer.parseInt(asked.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("condense.vector.bits must be 128, 256 or 512, got '" + asked + "'", e);
            }
            if ((bits != 128 && bits != 256 && bits != 512) || bits > preferred) {
                throw new IllegalArgumentException("condense.vector.bits " + bits + ": this platform's vectors are at most "
                        + preferred + " bits, and the choices are 128, 256 and 512");
            }
        }
        return bits == preferred ? FloatVector.SPECIES_PREFERRED
                : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
