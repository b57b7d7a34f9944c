package fksteer.spark;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import fksteer.cli.SteerJob;
import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of a jobs file: its position (1-based line number), its id, and the JSON object as written.
 * Only what makes a batch unreadable is checked here (a line that is not a JSON object, an id that is
 * missing or repeated); a job's flags are checked when it runs, and a bad one fails that job alone.
 */
public record Job(int line, String id, String json) implements Serializable {
    /** Longest id; ids are names, not data. */
    static final int MAX_ID = 200;
    /** Longest line of a jobs file. */
    static final int MAX_LINE = 1 << 20;
    /** Most jobs in one file. */
    static final int MAX_JOBS = 10_000_000;

    /** Strict JSON: a key given twice is an error, not "the last one wins". */
    static final ObjectMapper STRICT = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** The job object (parsed again where it runs). */
    JsonNode node() throws IOException {
        return STRICT.readTree(json);
    }

    /**
     * The jobs of a JSON-lines file, blank lines skipped.
     *
     * @throws InvalidSettingException naming jobs, the line and what is wrong
     */
    public static List<Job> read(Path file) {
        String where = "'" + file + "'";
        if (!Files.exists(file)) throw new InvalidSettingException("jobs", where + " does not exist");
        if (!Files.isRegularFile(file)) throw new InvalidSettingException("jobs", where + " is not a regular file (a JSON-lines file of jobs)");
        if (!Files.isReadable(file)) throw new InvalidSettingException("jobs", where + " cannot be read");
        List<Job> jobs = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (BufferedReader r = new BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), decoder), 1 << 16)) {
            int n = 0;
            for (String line; (line = readLine(r, where, n + 1)) != null;) {
                n++;
                if (line.isBlank()) continue;
                if (jobs.size() == MAX_JOBS) throw new InvalidSettingException("jobs", where + " has more than " + MAX_JOBS + " jobs; split it");
                jobs.add(parse(line, n, where, seen));
            }
        } catch (CharacterCodingException e) {
            throw new InvalidSettingException("jobs", where + " is not UTF-8 text");
        } catch (IOException e) {
            throw new InvalidSettingException("jobs", where + ": " + Quote.of(String.valueOf(e.getMessage()), 0, 200));
        }
        if (jobs.isEmpty()) throw new InvalidSettingException("jobs", where + " holds no jobs (one JSON object per line)");
        return jobs;
    }

    private static String readLine(BufferedReader r, String where, int lineNo) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = r.read()) != -1;) {
            if (c == '\n') return b.toString();
            if (b.length() == MAX_LINE) throw new InvalidSettingException("jobs", where + " line " + lineNo + " is longer than " + MAX_LINE + " characters");
            b.append((char) c);
        }
        return b.isEmpty() ? null : b.toString();
    }

    private static Job parse(String line, int n, String where, Map<String, Integer> seen) {
        String at = where + " line " + n + ": ";
        JsonNode node;
        try {
            node = STRICT.readTree(line);
        } catch (IOException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new InvalidSettingException("jobs", at + "not JSON: " + Quote.of(String.valueOf(msg), 0, 160));
        }
        if (node == null || !node.isObject())
            throw new InvalidSettingException("jobs", at + "each line must be one JSON object {\"id\": \"...\", \"model\": ..., ...}");
        JsonNode id = node.get(SteerJob.ID);
        if (id == null) throw new InvalidSettingException("jobs", at + "the job has no \"id\"");
        if (!id.isTextual() || id.asText().isBlank() || id.asText().length() > MAX_ID)
            throw new InvalidSettingException("jobs", at + "\"id\" must be a non-blank string of at most " + MAX_ID + " characters, got "
                    + Quote.of(id.toString(), 0, 80));
        Integer before = seen.putIfAbsent(id.asText(), n);
        if (before != null)
            throw new InvalidSettingException("jobs", at + "the id " + Quote.of(id.asText(), 0, 80) + " is also the id of line " + before + "; ids must be unique");
        return new Job(n, id.asText(), line.strip());
    }
}
