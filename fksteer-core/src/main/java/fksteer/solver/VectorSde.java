package fksteer.solver;

/**
 * The Vector API path of the SDE update, apart so that {@code Integrator} loads without the
 * {@code jdk.incubator.vector} module: touched only when {@link fksteer.kernel.Vectorization#enabled()}.
 */
final class VectorSde {
    private static final jdk.incubator.vector.VectorSpecies<Float> FS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;

    private VectorSde() {}

    /**
     * x = x + h (v1 + half (t v0 - x)) + sd eps on whole vectors of entries from [from, to), eps[i - from]
     * the noise; returns the first entry left for the scalar tail.
     */
    static int update(float[] x, float[] v0, float[] v1, float[] eps, int from, int to, float t, float h, float sd, float half) {
        int i = from, L = FS.length();
        for (; i + L <= to; i += L) {
            var xv = jdk.incubator.vector.FloatVector.fromArray(FS, x, i);
            var v0v = jdk.incubator.vector.FloatVector.fromArray(FS, v0, i);
            var v1v = jdk.incubator.vector.FloatVector.fromArray(FS, v1, i);
            var e = jdk.incubator.vector.FloatVector.fromArray(FS, eps, i - from);
            var drift = v1v.add(v0v.mul(t).sub(xv).mul(half));
            xv.add(drift.mul(h)).add(e.mul(sd)).intoArray(x, i);
        }
        return i;
    }
}
