package fksteer.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fksteer batch as a user meets it: bad flags and bad jobs files are one line and exit 2, before Spark starts. */
class BatchCommandTest {
    record Run(int code, String out, String err) {}

    static Run batch(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = BatchMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    static final String GOOD = "{\"id\": \"a\", \"model\": \"checkerboard\", \"method\": \"fk\", \"reward\": \"point:0,0\", \"particles\": 16, \"steps\": 10}";

    @Test
    void badInputIsOneLineAndExitTwoWithNothingWritten(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.jsonl"), GOOD + "\n");
        Path notJson = Files.writeString(dir.resolve("a.jsonl"), GOOD + "\n{\"id\": \"b\", \n");
        Path noId = Files.writeString(dir.resolve("b.jsonl"), "{\"model\": \"checkerboard\"}\n");
        Path twice = Files.writeString(dir.resolve("c.jsonl"), GOOD + "\n\n" + GOOD + "\n");
        Path dupKey = Files.writeString(dir.resolve("d.jsonl"), "{\"id\": \"a\", \"seed\": 1, \"seed\": 2}\n");
        Path empty = Files.writeString(dir.resolve("e.jsonl"), "\n\n");
        Path array = Files.writeString(dir.resolve("f.jsonl"), "[1, 2]\n");
        Path numId = Files.writeString(dir.resolve("g.jsonl"), "{\"id\": 7}\n");
        Path latin1 = Files.write(dir.resolve("h.jsonl"), new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xE9, '"', '}', '\n'});
        Path aFile = Files.writeString(dir.resolve("file.txt"), "x");
        Path huge = dir.resolve("huge.safetensors");
        try (var f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength((1L << 30) + 1);          // sparse: 1 GiB + 1 byte that take no disk
        }
        Path tooBig = Files.writeString(dir.resolve("i.jsonl"), GOOD.replace("\"checkerboard\"", "\"" + huge + "\"") + "\n");
        Path out = dir.resolve("new-out");
        String[][] cases = {
                {"fksteer batch: Missing required option: '--jobs=<jobs>'", "--out", out.toString()},
                {"fksteer batch: --jobs '" + dir.resolve("none.jsonl") + "' does not exist", "--jobs", dir.resolve("none.jsonl").toString(), "--out", out.toString()},
                {"fksteer batch: --jobs '" + dir + "' is not a regular file", "--jobs", dir.toString(), "--out", out.toString()},
                {"line 2: not JSON", "--jobs", notJson.toString(), "--out", out.toString()},
                {"line 1: the job has no \"id\"", "--jobs", noId.toString(), "--out", out.toString()},
                {"line 3: the id 'a' is also the id of line 1; ids must be unique", "--jobs", twice.toString(), "--out", out.toString()},
                {"line 1: not JSON: 'Duplicate field 'seed''", "--jobs", dupKey.toString(), "--out", out.toString()},
                {"holds no jobs", "--jobs", empty.toString(), "--out", out.toString()},
                {"line 1: each line must be one JSON object", "--jobs", array.toString(), "--out", out.toString()},
                {"line 1: \"id\" must be a non-blank string", "--jobs", numId.toString(), "--out", out.toString()},
                {"is not UTF-8 text", "--jobs", latin1.toString(), "--out", out.toString()},
                {"fksteer batch: --out '" + aFile + "': it is not a folder", "--jobs", good.toString(), "--out", aFile.toString()},
                {"fksteer batch: --master must be local", "--jobs", good.toString(), "--out", out.toString(), "--master", "locl[2]"},
                {"fksteer batch: --partitions must be in [1, 1000000], got 0", "--jobs", good.toString(), "--out", out.toString(), "--partitions", "0"},
                {"fksteer batch: --threads must be in [1, 256], got 1000", "--jobs", good.toString(), "--out", out.toString(), "--threads", "1000"},
                {"fksteer batch: --jobs the model files of '" + huge + "' hold 1073741825 bytes, and a batch ships at most 1073741824 bytes (1 GiB)",
                        "--jobs", tooBig.toString(), "--out", out.toString()},
                {"fksteer batch: --parquet is needed with the master spark://nowhere:7077", "--jobs", good.toString(), "--out", out.toString(), "--master", "spark://nowhere:7077"}};
        for (String[] c : cases) {
            Run r = batch(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.code(), String.join(" ", c) + " -> " + r.err());
            assertTrue(r.err().contains(c[0]), c[0] + " in " + r.err());
            assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
            assertFalse(Files.exists(out), "nothing created for " + c[0]);
        }
    }

    @Test
    void aRunWritesResultsAndReportsProgressAndFailures(@TempDir Path dir) throws Exception {
        Path jobs = Files.writeString(dir.resolve("jobs.jsonl"), GOOD + "\n" + GOOD.replace("\"a\"", "\"b\"").replace("16", "-1") + "\n"
                + GOOD.replace("\"a\"", "\"c\"") + "\n");
        Path out = dir.resolve("out");
        Run r = batch("--jobs", jobs.toString(), "--out", out.toString(), "--master", "local[2]");
        assertEquals(1, r.code(), "a failed job: exit 1, the rest written: " + r.err());
        assertTrue(r.err().contains("fksteer batch: 3/3 jobs done"), r.err());
        assertTrue(r.err().contains("fksteer batch: 1 of 3 jobs failed"), r.err());
        assertTrue(r.out().startsWith("batch: 3 jobs (1 failed)"), r.out());
        List<String> lines = Files.readAllLines(out.resolve("results.jsonl"));
        assertEquals(3, lines.size());
        assertTrue(lines.get(1).startsWith("{\"id\":\"b\",\"error\":\"fksteer steer: --particles must be in [1, 50000000], got -1\",\"exitCode\":2}"), lines.get(1));
        assertTrue(Files.isDirectory(out.resolve("results.parquet")));
        // the same run again: the same results but for the timings
        Run again = batch("--jobs", jobs.toString(), "--out", out.toString(), "--master", "local[2]", "--partitions", "1", "--quiet", "--parquet", "none");
        assertEquals(1, again.code());
        assertFalse(again.err().contains("jobs done"), "--quiet: " + again.err());
        assertFalse(Files.exists(out.resolve("results.parquet")), "the earlier Parquet copy no longer matches: removed");
        assertTrue(again.err().contains("removed " + out.toRealPath().resolve("results.parquet")), again.err());
        List<String> second = Files.readAllLines(out.resolve("results.jsonl"));
        for (int i = 0; i < 3; i++)
            assertEquals(lines.get(i).replaceAll("\"wallSeconds\":[0-9.eE-]+", ""), second.get(i).replaceAll("\"wallSeconds\":[0-9.eE-]+", ""));
    }
}
