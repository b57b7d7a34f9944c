package fksteer.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The CLI in a JVM of its own: for kills, small heaps, umasks and file-size limits. */
final class Subprocess {
    private Subprocess() {}

    record Result(int code, String out, String err) {}

    /** The java command running the CLI's Main on this test's class path, with the given JVM options. */
    static List<String> java(List<String> jvmOptions, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-XX:-UsePerfData", "-XX:+UseSerialGC"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs a shell line (umask, ulimit) and then the command with exec, so signals reach the JVM. */
    static List<String> viaShell(String shellPrefix, List<String> command) {
        StringBuilder b = new StringBuilder(shellPrefix).append("; exec");
        for (String c : command) b.append(" '").append(c.replace("'", "'\\''")).append("'");
        return List.of("/bin/bash", "-c", b.toString());
    }

    static Process start(List<String> command, Path dir) throws IOException {
        return new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    static Result run(List<String> command, Path dir, long timeoutSeconds) throws Exception {
        File o = File.createTempFile("fksteer-out", ".txt"), e = File.createTempFile("fksteer-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(o).redirectError(e).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), java.nio.file.Files.readString(o.toPath(), StandardCharsets.UTF_8),
                    withoutJvmNoise(java.nio.file.Files.readString(e.toPath(), StandardCharsets.UTF_8)));
        } finally {
            o.delete();
            e.delete();
        }
    }

    /** stderr without the JVM's own notice about incubator modules. */
    static String withoutJvmNoise(String err) {
        return err.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
    }
}
