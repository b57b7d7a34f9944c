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
                "fig3-search-over-paths.png", "fig4-samplers.png", "fig5-fk-1.png", "fig5-fk-5.png", "fig6-scaling-best.png", "fig7-scaling-set.png"))
            assertTrue(Files.size(a.resolve(f)) > 100, f);
        String report = Files.readString(a.resolve("report.md"));
        for (String f : List.of("fig1", "fig2", "fig3", "fig4", "fig5-fk-1", "fig6", "fig7")) assertTrue(report.contains("](" + f), f);
        JsonNode sa = new ObjectMapper().readTree(a.resolve("summary.json").toFile());
        JsonNode sb = new ObjectMapper().readTree(b.resolve("summary.json").toFile());
        assertEquals(withoutTimes(sa.get("comparison")), withoutTimes(sb.get("comparison")), "same seed, same numbers, any thread count");
        assertEquals(sa.get("scaling"), sb.get("scaling"));
        // matched compute: every method within a budget spends at most the budget and at least 99% of it
        for (JsonNode r : sa.get("comparison")) {
            long budget = r.get("budget").asLong(), nfe = r.get("nfe").asLong();
            assertTrue(nfe <= budget && nfe >= 0.99 * budget, r.toString());
        }
        List<String> csv = Files.readAllLines(a.resolve("results.csv"));
        assertEquals(sa.get("comparison").size() + 1, csv.size());
        for (String line : csv) assertEquals(12, line.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)").length, line);
    }
}
