package fksteer.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import fksteer.io.OutputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The demo's text outputs (results.csv, report.md) hold no NaN or infinity, as the JSON does not (issue 9). */
class ReportTest {

    @Test
    void demoTextOutputsRefuseNonFiniteNumbers() throws Exception {
        Path p = Path.of("results.csv");
        assertArrayEquals("a,1.5\n".getBytes(StandardCharsets.UTF_8), Report.finiteText(p, "a,1.5\n"));
        OutputException e = assertThrows(OutputException.class, () -> Report.finiteText(p, "a,1.5\nb,NaN\n"));
        assertEquals("cannot write results.csv: line 2 holds a non-finite number (NaN)", e.getMessage());
        assertThrows(OutputException.class, () -> Report.finiteText(p, "x,-Infinity"));
    }
}
