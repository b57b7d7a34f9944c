package fksteer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fksteer.io.Models;
import fksteer.kernel.Vectorization;
import java.io.File;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use from Java" program compiles against the library and its declared dependencies only
 * (Jackson; no picocli, XChart or JMH), and runs in a fresh JVM: with the Vector API module, and without
 * it on the scalar kernels after exactly one notice.
 */
class ReadmeJavaProgramTest {
    static final Path README = Path.of("..", "README.md");

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    @Test
    void theReadmeProgramCompilesAndRunsAgainstTheLibraryAlone() throws Exception {
        String source = program(Files.readString(README));
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find(), "the README's java block declares no public class");
        Path src = dir.resolve(cls.group(1) + ".java"), classes = dir.resolve("classes");
        Files.writeString(src, source);
        Files.createDirectories(classes);

        String cp = libraryClassPath();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null, List.of("-cp", cp, "-d", classes.toString()), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(src)).call();
        assertTrue(ok, "the README program does not compile:\n" + diagnostics);

        String runCp = classes + File.pathSeparator + cp;
        Run vector = java(List.of("--add-modules", Vectorization.MODULE, "-cp", runCp, cls.group(1)));
        assertEquals(0, vector.code(), vector.err());
        assertSensible(vector.out());
        assertFalse(vector.err().contains(Vectorization.FALLBACK_NOTICE), vector.err());

        Run scalar = java(List.of("-cp", runCp, cls.group(1)));
        assertEquals(0, scalar.code(), scalar.err());
        assertSensible(scalar.out());
        assertEquals(1, scalar.err().split(Pattern.quote(Vectorization.FALLBACK_NOTICE), -1).length - 1,
                "the fallback notice, once:\n" + scalar.err());
    }

    /** The first java block of the section "Use from Java". */
    static String program(String readme) {
        int section = readme.indexOf("\n## Use from Java\n");
        assertTrue(section >= 0, "README.md has no section 'Use from Java'");
        int start = readme.indexOf("```java\n", section);
        int next = readme.indexOf("\n## ", section + 1);
        assertTrue(start >= 0 && (next < 0 || start < next), "the section 'Use from Java' has no java block");
        start += "```java\n".length();
        return readme.substring(start, readme.indexOf("\n```", start) + 1);
    }

    /**
     * The library's classes and its runtime dependencies, from the test class path: everything but the
     * test classes and the test-scoped libraries. Asserts that is the library plus Jackson, without picocli.
     */
    static String libraryClassPath() throws Exception {
        String all = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path library = Path.of(Models.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> kept = new ArrayList<>();
        for (String e : all.split(Pattern.quote(File.pathSeparator))) {
            String p = e.replace('\\', '/');
            if (p.endsWith("/test-classes") || p.contains("/org/junit/") || p.contains("/net/jqwik/") || p.contains("/org/opentest4j/")
                    || p.contains("/org/apiguardian/")) continue;                    // test scope
            kept.add(e);
        }
        assertTrue(kept.stream().anyMatch(e -> Path.of(e).toAbsolutePath().equals(library.toAbsolutePath())), "the library is not on " + kept);
        for (String e : kept) {
            String p = e.replace('\\', '/');
            assertTrue(Path.of(e).toAbsolutePath().equals(library.toAbsolutePath()) || p.contains("/com/fasterxml/jackson/"),
                    "the library depends on more than Jackson: " + e);
            assertFalse(p.contains("picocli") || p.contains("xchart") || p.contains("jmh"), e);
        }
        return String.join(File.pathSeparator, kept);
    }

    Run java(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(args);
        Path out = dir.resolve("out.txt"), err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the README program ran over 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** Steered toward (2, 0.5): plain samples of the checkerboard score about -10 on average, steered ones above -5. */
    static void assertSensible(String out) {
        Matcher m = Pattern.compile("weighted mean reward (-?[0-9.]+), best (-?[0-9.]+), ESS ([0-9.]+) of (\\d+), (\\d+) network evaluations")
                .matcher(out);
        assertTrue(m.find(), out);
        double mean = Double.parseDouble(m.group(1)), best = Double.parseDouble(m.group(2)), ess = Double.parseDouble(m.group(3));
        assertTrue(mean > -5 && mean <= best && best <= 0, out);
        assertTrue(ess >= 1 && ess <= Integer.parseInt(m.group(4)), out);
        assertTrue(Long.parseLong(m.group(5)) > 0, out);
        assertTrue(out.contains("weighted mean sample ("), out);
    }
}
