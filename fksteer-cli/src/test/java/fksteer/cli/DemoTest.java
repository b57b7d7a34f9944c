package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reduced demo (--fast) produces every output, at matched compute, deterministically. */
class DemoTest {
    @TempDir
    Path dir;

    static JsonNode withoutTimes(JsonNode comparison) {
        for (JsonNode r : comparison) ((com.fasterxml.jackson.databind.node.ObjectNode) r).remove("wallMs");
        return comparison;
    }

    @Test
    void fastDemoWritesEverythingDeterministically() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertEquals(0, CliTest.run("demo", "--fast", "--quiet", "--out", a.toString()).code());
        assertEquals(0, CliTest.run("demo", "--fast", "--quiet", "--threads", "1", "--out", b.toString()).code());
        for (String f : List.of("report.md", "summary.json", "results.csv", "fig1-noise-to-data.png", "fig2-zeroth-order.png",
                "fig3-search-over-paths.png", "fig4-samplers.png", "fig5-fk-1.png", "fig5-fk-5.png", "fig5-fk-smooth.png",
                "fig6-scaling-best.png", "fig7-scaling-set.png"))
            assertTrue(Files.size(a.resolve(f)) > 100, f);
        String report = Files.readString(a.resolve("report.md"));
        for (String f : List.of("fig1", "fig2", "fig3", "fig4", "fig5-fk-1", "fig5-fk-smooth", "fig6", "fig7")) assertTrue(report.contains("](" + f), f);
        JsonNode sa = new ObjectMapper().readTree(a.resolve("summary.json").toFile());
        JsonNode sb = new ObjectMapper().readTree(b.resolve("summary.json").toFile());
        assertEquals(withoutTimes(sa.get("comparison")), withoutTimes(sb.get("comparison")), "same seed, same numbers, any thread count");
        assertEquals(sa.get("scaling"), sb.get("scaling"));
        assertEquals(sa.get("fkSmooth"), sb.get("fkSmooth"));
        potentialsDifferUnderTheSmoothReward(sa.get("fkSmooth"));
        scatterAxesHoldTheTargetsAndThePoints(sa.get("figures"));
        // fig6 and fig7 use log y axes: every plotted mean must be positive
        for (String k : List.of("fkBestMean", "bonBestMean", "fkSetMean", "bonSetMean"))
            for (JsonNode v : sa.get("scaling").get(k)) assertTrue(v.asDouble() > 0, k + " has " + v);
        // matched compute: every method within a budget spends at most the budget and at least 99% of it
        for (JsonNode r : sa.get("comparison")) {
            long budget = r.get("budget").asLong(), nfe = r.get("nfe").asLong();
            assertTrue(nfe <= budget && nfe >= 0.99 * budget, r.toString());
        }
        List<String> csv = Files.readAllLines(a.resolve("results.csv"));
        assertEquals(sa.get("comparison").size() + 1, csv.size());
        for (String line : csv) assertEquals(12, line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)").length, line);
    }

    /**
     * The smooth-reward FK figure exists to show the potentials apart: diff must keep more ancestors, a higher
     * final ESS and a wider spread than max, sum and rt, and its weighted spread must match the exact tilt's.
     */
    static void potentialsDifferUnderTheSmoothReward(JsonNode sm) {
        JsonNode pots = sm.get("potentials"), diff = pots.get("diff");
        double exactSpread = sm.get("exactTilt").get("spread").asDouble();
        assertTrue(Math.abs(diff.get("weightedSpread").asDouble() - exactSpread) < 0.2 * exactSpread,
                "diff reproduces the exact tilt's spread: " + diff + " vs " + exactSpread);
        for (String other : List.of("max", "sum", "rt")) {
            JsonNode o = pots.get(other);
            assertTrue(diff.get("uniqueAncestors").asInt() >= 2 * o.get("uniqueAncestors").asInt(), other + ": " + o + " vs diff " + diff);
            assertTrue(diff.get("finalEss").asDouble() >= 2 * o.get("finalEss").asDouble(), other + ": " + o + " vs diff " + diff);
            assertTrue(diff.get("particleSpread").asDouble() >= 1.3 * o.get("particleSpread").asDouble(), other + ": " + o + " vs diff " + diff);
        }
    }

    /** Every scatter figure's axes contain its targets, and at most 2% of its points (the caption's quantiles) lie outside. */
    static void scatterAxesHoldTheTargetsAndThePoints(JsonNode figures) {
        assertTrue(figures.size() >= 10, figures.toString());
        for (var it = figures.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode f = e.getValue(), ext = f.get("extent");
            double xlo = ext.get(0).asDouble(), xhi = ext.get(1).asDouble(), ylo = ext.get(2).asDouble(), yhi = ext.get(3).asDouble();
            for (JsonNode t : f.get("targets")) {
                double x = t.get(0).asDouble(), y = t.get(1).asDouble();
                assertTrue(x >= xlo && x <= xhi && y >= ylo && y <= yhi, e.getKey() + ": target " + t + " outside " + ext);
            }
            for (JsonNode h : f.get("horizontalLines")) assertTrue(h.asDouble() >= ylo && h.asDouble() <= yhi, e.getKey());
            for (JsonNode v : f.get("verticalLines")) assertTrue(v.asDouble() >= xlo && v.asDouble() <= xhi, e.getKey());
            long points = f.get("points").asLong(), outside = f.get("pointsOutsideAxes").asLong();
            assertTrue(points > 0 && outside <= 0.02 * points, e.getKey() + ": " + outside + " of " + points + " outside");
            if (outside > 0) assertTrue(f.get("caption").asText().contains(outside + " of " + points + " points lie outside"), e.getKey());
        }
        assertTrue(figures.get("fig5-fk-smooth.png").get("weighted").asBoolean(), "the smooth FK figure draws its weights");
    }
}
