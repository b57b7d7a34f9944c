package fksteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The library names settings by their Java names (InvalidSettingException) and the CLI maps each name to a
 * flag (Main.flag). Read from the library's sources: every setting name it can throw has a flag the CLI
 * really has, and no library exception speaks in flags.
 */
class SettingNamesTest {
    static final Path CORE = Path.of("..", "fksteer-core", "src", "main", "java");
    /**
     * Settings only a Java caller can get wrong: no command passes them. The processes' settings
     * (fksteer.process: ProcessSpec, the VP schedulers, particle shapes) and the class-conditional
     * mixture's: the CLI reads them from a model file, whose reader reports them under model, naming
     * the file and the field (clipSample included). --eta, --condition and --cfg are flags. The
     * evaluation measures' inputs (fksteer.eval: features, samples, Distinct's n) come from the demo's own
     * code, as do the text n-gram model's fitting settings (fksteer.text.CharNGram: order, texts).
     */
    static final Set<String> JAVA_ONLY = Set.of("dim", "spec", "snapshotEvery",
            "betaStart", "betaEnd", "trainSteps", "schedule", "prediction", "timestepSpacing", "clipSample",
            "mixture", "classes", "process", "noiseAt", "shift", "shape", "features", "samples", "n", "order", "texts",
            "eps", "vocab");

    @Test
    void everySettingTheLibraryNamesIsAFlagOfTheCli() throws IOException {
        TreeMap<String, List<String>> names = settingNames();
        assertTrue(names.keySet().containsAll(List.of("particles", "lookaheadSteps", "tStart", "reward", "model", "threads", "candidates")),
                "the scan found " + names.keySet());
        assertTrue(names.keySet().containsAll(JAVA_ONLY), "stale JAVA_ONLY entries: " + JAVA_ONLY);
        Set<String> options = cliOptions();
        List<String> missing = new ArrayList<>();
        for (var e : names.entrySet()) {
            if (JAVA_ONLY.contains(e.getKey())) continue;
            String flag = Main.flag(e.getKey());
            Matcher m = Pattern.compile("--[a-z][a-z0-9-]*").matcher(flag);
            boolean any = false;
            while (m.find()) {
                any = true;
                if (!options.contains(m.group())) missing.add(e.getKey() + " -> " + flag + " (thrown in " + e.getValue() + ")");
            }
            if (!any) missing.add(e.getKey() + " -> " + flag + ": no flag");
        }
        assertEquals(List.of(), missing, "settings the library names whose flag the CLI lacks");
    }

    @Test
    void noLibraryExceptionSpeaksInFlags() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : sources())
            for (String call : calls(code(Files.readString(f)), "Exception("))
                for (String lit : literals(call))
                    if (lit.matches("(?s).*--[a-z].*")) found.add(CORE.relativize(f) + ": " + lit);
        assertEquals(List.of(), found);
    }

    @Test
    void theCliPrintsRelatedSettingsAsFlagsToo() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"steer", "--model", "checkerboard", "--method", "search-over-paths", "--reward", "point:0,0",
                "--delta-f", "0.9", "--out", "x.json"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(Main.EXIT_BAD_INPUT, code);
        assertEquals("fksteer steer: --delta-f must be in [0, --t-start), got 0.9", err.toString().strip());
    }

    /** Setting name -> the files that throw it: every whole string-literal argument that is an identifier. */
    static TreeMap<String, List<String>> settingNames() throws IOException {
        TreeMap<String, List<String>> names = new TreeMap<>();
        for (Path f : sources()) {
            String code = code(Files.readString(f));
            List<String> calls = new ArrayList<>(calls(code, "InvalidSettingException("));
            calls.addAll(calls(code, "require("));
            for (String call : calls)
                for (String arg : topLevelArguments(call)) {
                    Matcher m = Pattern.compile("\"([a-z][A-Za-z0-9]*)\"").matcher(arg.strip());
                    if (m.matches()) names.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(f.getFileName().toString());
                }
        }
        return names;
    }

    static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(CORE)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            assertFalse(files.isEmpty(), "no library sources under " + CORE.toAbsolutePath());
            return files;
        }
    }

    static Set<String> cliOptions() {
        Set<String> names = new TreeSet<>();
        CommandLine cl = new CommandLine(new Main());
        for (CommandLine sub : cl.getSubcommands().values())
            for (CommandLine.Model.OptionSpec o : sub.getCommandSpec().options()) names.addAll(List.of(o.names()));
        return names;
    }

    /** The source with comments blanked out (string and char literals kept). */
    static String code(String src) {
        StringBuilder b = new StringBuilder(src.length());
        for (int i = 0; i < src.length(); i++) {
            char c = src.charAt(i);
            if (c == '"' || c == '\'') {
                int j = endOfLiteral(src, i);
                b.append(src, i, j);
                i = j - 1;
            } else if (src.startsWith("//", i)) {
                while (i < src.length() && src.charAt(i) != '\n') i++;
                b.append('\n');
            } else if (src.startsWith("/*", i)) {
                int j = src.indexOf("*/", i + 2);
                i = j + 1;
                b.append(' ');
            } else b.append(c);
        }
        return b.toString();
    }

    /** The index just past the string or char literal that starts at i (text blocks are not used in the library). */
    static int endOfLiteral(String s, int i) {
        char q = s.charAt(i);
        int j = i + 1;
        while (s.charAt(j) != q) j += s.charAt(j) == '\\' ? 2 : 1;
        return j + 1;
    }

    /** The argument lists (without the parentheses) of every call whose text ends with head, e.g. "require(". */
    static List<String> calls(String code, String head) {
        List<String> out = new ArrayList<>();
        for (int at = code.indexOf(head); at >= 0; at = code.indexOf(head, at + 1)) {
            if (head.equals("require(") && at > 0 && Character.isJavaIdentifierPart(code.charAt(at - 1))) continue; // not fooRequire(
            int open = at + head.length() - 1, depth = 0, i = open;
            for (; i < code.length(); i++) {
                char c = code.charAt(i);
                if (c == '"' || c == '\'') i = endOfLiteral(code, i) - 1;
                else if (c == '(') depth++;
                else if (c == ')' && --depth == 0) break;
            }
            out.add(code.substring(open + 1, i));
        }
        return out;
    }

    static List<String> topLevelArguments(String args) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i < args.length(); i++) {
            char c = args.charAt(i);
            if (c == '"' || c == '\'') i = endOfLiteral(args, i) - 1;
            else if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') depth--;
            else if (c == ',' && depth == 0) {
                out.add(args.substring(start, i));
                start = i + 1;
            }
        }
        out.add(args.substring(start));
        return out;
    }

    static List<String> literals(String code) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < code.length(); i++)
            if (code.charAt(i) == '"') {
                int j = endOfLiteral(code, i);
                out.add(code.substring(i + 1, j - 1));
                i = j - 1;
            } else if (code.charAt(i) == '\'') i = endOfLiteral(code, i) - 1;
        return out;
    }
}
