package fksteer.steer;

import fksteer.kernel.Parallel;

/**
 * Prints "workload estimate allocated" for each workload of {@link SizeLimitsTest#workloads} at 4000
 * particles, on one thread, each measured on its second run (the first loads classes and per-thread
 * scratch). Started by {@link SizeLimitsTest#estimatedBytesCoverWhatARunAllocates} with -Dfksteer.vector=false.
 */
public final class MemoryProbe {
    private MemoryProbe() {}

    public static void main(String[] args) {
        Parallel.setThreads(1);
        for (var e : SizeLimitsTest.workloads(4000).entrySet()) {
            e.getValue().get();
            long[] r = e.getValue().get();
            System.out.println(e.getKey() + " " + r[0] + " " + r[1]);
        }
    }
}
