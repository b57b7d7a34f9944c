package fksteer.rng;

import static fksteer.rng.Rng.GOLDEN;
import static fksteer.rng.Rng.LAYERS;
import static fksteer.rng.Rng.RATIOF;
import static fksteer.rng.Rng.XF;
import static fksteer.rng.Rng.zigguratSlow;

/**
 * The Vector API path of {@link Rng#fillGaussianPairs}, apart so that {@code Rng} loads without the
 * {@code jdk.incubator.vector} module: touched only when {@link fksteer.kernel.Vectorization#enabled()}.
 */
final class VectorZiggurat {
    private static final jdk.incubator.vector.VectorSpecies<Long> LS = jdk.incubator.vector.LongVector.SPECIES_512;
    private static final jdk.incubator.vector.VectorSpecies<Float> FS = jdk.incubator.vector.FloatVector.SPECIES_512;

    private VectorZiggurat() {}

    static boolean usable() {
        try {
            return jdk.incubator.vector.LongVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        } catch (Throwable t) {
            return false;
        }
    }

    /** Fills the pairs of particles p0 .. p0+j-1 eight at a time and returns j, the first particle left for the scalar path. */
    static int fillPairs(long[] state, int p0, int count, float[] out, int off, int[] idx, float[] us) {
        int j = 0;
        for (; j + 8 <= count; j += 8) {
            int p = p0 + j;
            jdk.incubator.vector.LongVector z = jdk.incubator.vector.LongVector.fromArray(LS, state, p).add(GOLDEN);
            z.intoArray(state, p);
            z = z.lanewise(jdk.incubator.vector.VectorOperators.XOR, z.lanewise(jdk.incubator.vector.VectorOperators.LSHR, 30))
                    .mul(0xBF58476D1CE4E5B9L);
            z = z.lanewise(jdk.incubator.vector.VectorOperators.XOR, z.lanewise(jdk.incubator.vector.VectorOperators.LSHR, 27))
                    .mul(0x94D049BB133111EBL);
            z = z.lanewise(jdk.incubator.vector.VectorOperators.XOR, z.lanewise(jdk.incubator.vector.VectorOperators.LSHR, 31));
            jdk.incubator.vector.IntVector b = z.reinterpretAsInts();   // lanes: lo0, hi0, lo1, hi1, ... (little-endian)
            b.and(LAYERS - 1).intoArray(idx, 0);
            jdk.incubator.vector.FloatVector u = ((jdk.incubator.vector.FloatVector) b.lanewise(jdk.incubator.vector.VectorOperators.LSHR, 8)
                    .convert(jdk.incubator.vector.VectorOperators.I2F, 0)).mul(0x1.0p-23f).sub(1f);
            jdk.incubator.vector.FloatVector ratio = jdk.incubator.vector.FloatVector.fromArray(FS, RATIOF, 0, idx, 0);
            jdk.incubator.vector.FloatVector edge = jdk.incubator.vector.FloatVector.fromArray(FS, XF, 0, idx, 0);
            u.mul(edge).intoArray(out, off + 2 * j);
            jdk.incubator.vector.VectorMask<Float> inside = u.abs().compare(jdk.incubator.vector.VectorOperators.LT, ratio);
            if (!inside.allTrue()) {
                // finish the misses in particle order, low half before high half, as the scalar path does
                float[] uu = us;
                u.intoArray(uu, 0);
                for (int lane = 0; lane < 16; lane++) {
                    if (inside.laneIsSet(lane)) continue;
                    out[off + 2 * j + lane] = (float) zigguratSlow(idx[lane], uu[lane], state, p + lane / 2);
                }
            }
        }
        return j;
    }
}
