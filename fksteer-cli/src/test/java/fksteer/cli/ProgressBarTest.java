package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The bar on a clock the test moves: redraw throttling, the plain lines, ETA, quiet, and no allocation per call. */
class ProgressBarTest {
    static final long MS = 1_000_000L, S = 1_000_000_000L;

    long now;
    StringWriter text = new StringWriter();

    ProgressBar bar(ProgressBar.Mode mode) {
        return new ProgressBar("train moons", new PrintWriter(text), mode, () -> now, 200);
    }

    static int count(String s, String part) {
        int c = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) c++;
        return c;
    }

    @Test
    void onATerminalRedrawsInPlaceAtMostTenTimesASecond() {
        ProgressBar b = bar(ProgressBar.Mode.TERMINAL);
        for (int s = 1; s <= 1000; s++) {   // 1000 steps over 2 s: one every 2 ms
            now += 2 * MS;
            b.progress(s, 1000, "steps");
        }
        String out = text.toString();
        int draws = count(out, "\r");
        assertTrue(draws >= 19 && draws <= 21, draws + " redraws in 2 s");
        assertEquals(draws, count(out, "\033[K"), "every redraw clears to the end of the line");
        assertTrue(out.contains("steps/s") && out.contains("ETA "), out);
        assertFalse(out.contains("\n"), "no newline until the end");
        b.finish();
        b.close();
        String all = text.toString();
        assertTrue(all.endsWith("\033[K\n"), "the final bar ends its line");
        assertTrue(all.substring(all.lastIndexOf('\r')).contains("100% 1000/1000 steps"), all);
    }

    @Test
    void theEtaFollowsTheRate() {
        ProgressBar b = bar(ProgressBar.Mode.TERMINAL);
        now += 10 * S;                       // 100 of 400 steps in 10 s: 10 steps/s, 30 s to go
        b.progress(100, 400, "steps");
        String line = b.terminalLine(now);
        assertTrue(line.contains("10.0 steps/s"), line);
        assertTrue(line.contains("ETA 30s"), line);
        assertTrue(line.contains(" 25% 100/400 steps"), line);
    }

    @Test
    void withoutATerminalPrintsAPlainLineEveryTenSecondsAndOneAtTheEnd() {
        ProgressBar b = bar(ProgressBar.Mode.LINES);
        for (int s = 1; s <= 250; s++) {    // 25 s of work, a step every 100 ms
            now += 100 * MS;
            b.progress(s, 250, "steps");
        }
        assertEquals(2, count(text.toString(), "\n"), "lines at 10 s and 20 s: " + text);
        b.finish();
        String out = text.toString();
        assertFalse(out.contains("\r") || out.contains("\033"), "no control characters in a log: " + out);
        String[] lines = out.split("\n");
        assertEquals(3, lines.length, out);
        assertTrue(lines[0].startsWith("train moons: 40% (100/250 steps), 10s elapsed") && lines[0].contains("ETA 15s"), lines[0]);
        assertTrue(lines[2].startsWith("train moons: 100% (250/250 steps)") && lines[2].contains("in 25s"), lines[2]);
    }

    @Test
    void workThatReportsCoarselyStillGetsALineEveryInterval() throws Exception {
        StringWriter lines = new StringWriter();
        PrintWriter w = new PrintWriter(lines);
        ProgressBar b = new ProgressBar("demo", w, ProgressBar.Mode.LINES, System::nanoTime, 80, 40 * MS).startTicker();
        b.progress(1, 9, "stages");         // then a long stage with no report
        Thread.sleep(300);
        int during;
        synchronized (b) {
            during = count(lines.toString(), "\n");
        }
        assertTrue(during >= 3, "lines from the ticker while the stage ran: " + lines);
        assertTrue(lines.toString().startsWith("demo: 11% (1/9 stages)"), lines.toString());
        b.finish();
        int after = count(lines.toString(), "\n");
        Thread.sleep(150);
        assertEquals(after, count(lines.toString(), "\n"), "nothing after finish");
    }

    @Test
    void withoutATerminalWorkDoneWithinTenSecondsPrintsNothing() {
        ProgressBar b = bar(ProgressBar.Mode.LINES);
        for (int s = 1; s <= 99; s++) {     // 9.9 s of work
            now += 100 * MS;
            b.progress(s, 99, "steps");
        }
        b.finish();
        assertEquals("", text.toString(), "a quick command's log holds only its result");
    }

    @Test
    void quietPrintsNothing() {
        ProgressBar b = bar(ProgressBar.Mode.OFF);
        for (int s = 1; s <= 100; s++) {
            now += S;
            b.progress(s, 100, "steps");
        }
        b.finish();
        b.close();
        assertEquals("", text.toString());
    }

    @Test
    void aFailedRunLeavesNoHalfBarBeforeItsError() {
        ProgressBar t = bar(ProgressBar.Mode.TERMINAL);
        now += S;
        t.progress(3, 10, "steps");
        t.close();                          // no finish(): the work failed
        assertTrue(text.toString().endsWith("\r\033[K"), "the bar is wiped: " + text);
        StringWriter plain = new StringWriter();
        ProgressBar p = new ProgressBar("x", new PrintWriter(plain), ProgressBar.Mode.LINES, () -> now, 80);
        p.progress(3, 10, "steps");
        p.close();
        assertEquals("", plain.toString(), "nothing before the one-line error");
    }

    @Test
    void aCallThatDoesNotDrawAllocatesNothing() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ProgressBar b = new ProgressBar("x", new PrintWriter(new StringWriter()), ProgressBar.Mode.TERMINAL, () -> 0L, 80);
        b.progress(0, 1_000_000, "steps");  // draws once; the clock never moves after, so nothing more is drawn
        for (int i = 0; i < 200_000; i++) b.progress(i, 1_000_000, "steps"); // warm up
        long id = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 1_000_000; i++) b.progress(i, 1_000_000, "steps");
        long bytes = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(bytes < 1_000_000, bytes + " bytes for a million calls");
    }

    @Test
    void durationsReadNaturally() {
        assertEquals("0.4s", ProgressBar.duration(0.42));
        assertEquals("42s", ProgressBar.duration(42));
        assertEquals("3m05s", ProgressBar.duration(185));
        assertEquals("2h07m", ProgressBar.duration(2 * 3600 + 7 * 60 + 3));
    }
}
