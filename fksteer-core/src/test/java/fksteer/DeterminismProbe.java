package fksteer;

/**
 * Runs named determinism cases once and prints "name sha256" per line: the cold side of
 * {@link DeterminismTest#warmResultsEqualAColdC1OnlyJvm}, started in a fresh JVM.
 */
public final class DeterminismProbe {
    private DeterminismProbe() {}

    public static void main(String[] names) throws Exception {
        var cases = DeterminismCases.all();
        for (String n : names) {
            var c = cases.get(n);
            if (c == null) throw new IllegalArgumentException("no case " + n);
            System.out.println(n + " " + DeterminismTest.digest(c.get()));
        }
    }
}
