package fksteer.bench;

import fksteer.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Measures the machine's fp32 FMA rate: independent FMA chains held in registers, on every thread. */
public final class Peak {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static volatile float sink;

    private Peak() {}

    /** One task's work: 12 independent accumulators x iters FMAs of S.length() lanes; returns FLOP. */
    static long kernel(int iters) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        sink = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(
                jdk.incubator.vector.VectorOperators.ADD);
        return 2L * 12 * S.length() * iters;
    }

    /** FLOP of one call of {@link #run}. */
    static long flops(int iters) {
        return Parallel.threads() * 2L * 12 * S.length() * iters;
    }

    static void run(int iters) {
        Parallel.run(Parallel.threads(), t -> kernel(iters));
    }
}
