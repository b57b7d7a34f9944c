package fksteer.spark;

import fksteer.onnx.ModelCard;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes of a model file that jobs name, with every file it needs (a card's network, decoder and
 * reference texts), read once on the driver and broadcast once to every executor. On an executor the
 * files are written once to a folder of their own, in the same layout relative to each other, so a
 * card's relative paths still resolve.
 *
 * @param reference the path as the jobs write it ("models/text/fortunes.json", or an onnx: reward's file)
 * @param digest    SHA-256 of every file's path and bytes: the bundle's identity
 * @param root      the driver's folder that every file lies under (real path)
 * @param entry     the referenced file, relative to root
 * @param files     every file's bytes, by path relative to root
 */
record ModelBundle(String reference, String digest, String root, String entry, TreeMap<String, byte[]> files) implements Serializable {
    /** onnx:FILE terms of a reward spec (FILE up to the next ':' or '+'). */
    static final Pattern ONNX_TERM = Pattern.compile("onnx:([^:+]+)");

    /** Most bytes shipped in all (1 GiB): a broadcast is held in each executor's memory. */
    static final long MAX_BYTES = 1L << 30;

    /**
     * The bundles of the files a job's model and reward name that exist on the driver: a model card
     * with its files, a mixture or safetensors file, each onnx:FILE reward. A name that is no readable
     * file is left alone: the job then fails as steer would, naming it.
     */
    static void add(Map<String, ModelBundle> bundles, String model, String reward) {
        // only what steer reads as a file: a name ending in .json or .safetensors (a file named "checkerboard" is not the built-in model)
        String lower = model == null ? "" : model.toLowerCase(Locale.ROOT);
        if ((lower.endsWith(".json") || lower.endsWith(".safetensors")) && !bundles.containsKey(model)) {
            ModelBundle b = of(model, true, MAX_BYTES - bytes(bundles));
            if (b != null) bundles.put(model, b);
        }
        if (reward != null) {
            Matcher m = ONNX_TERM.matcher(reward);
            while (m.find()) {
                String f = m.group(1);
                if (!bundles.containsKey(f)) {
                    ModelBundle b = of(f, false, MAX_BYTES - bytes(bundles));
                    if (b != null) bundles.put(f, b);
                }
            }
        }
    }

    /** Total bytes of these bundles. */
    static long bytes(Map<String, ModelBundle> bundles) {
        long n = 0;
        for (ModelBundle b : bundles.values()) for (byte[] f : b.files.values()) n += f.length;
        return n;
    }

    /** The bundle of a file (and, for a card, its files) holding at most budget bytes. */
    private static ModelBundle of(String reference, boolean model, long budget) {
        Path p;
        try {
            p = Path.of(reference);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
        if (!Files.isRegularFile(p)) return null;
        List<Path> paths = new ArrayList<>();
        try {
            paths.add(p.toRealPath());
            if (model && reference.toLowerCase(Locale.ROOT).endsWith(".json") && ModelCard.isCard(p)) {
                ModelCard c;
                try {
                    c = ModelCard.read(p);
                } catch (RuntimeException bad) {
                    return null;    // the job reads it again and fails, naming what is wrong
                }
                for (Path f : new Path[] {c.file(), c.decoder(), c.referenceTexts()})
                    if (f != null && Files.isRegularFile(f)) paths.add(f.toRealPath());
            }
            long size = 0;
            for (Path f : paths) size += Files.size(f);
            if (size > budget)
                throw new fksteer.io.InvalidSettingException("jobs", "the model files of " + fksteer.io.Quote.of(reference, 0, 200) + " hold " + size
                        + " bytes, and a batch ships at most " + MAX_BYTES + " bytes (1 GiB) of model files in all; split the batch");
            Path root = paths.get(0).getParent();
            for (Path f : paths) while (!f.startsWith(root)) root = root.getParent();
            TreeMap<String, byte[]> files = new TreeMap<>();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path f : paths) {
                String rel = root.relativize(f).toString();
                if (files.containsKey(rel)) continue;
                byte[] bytes = Files.readAllBytes(f);
                files.put(rel, bytes);
            }
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                sha.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(e.getValue());
            }
            return new ModelBundle(reference, HexFormat.of().formatHex(sha.digest()), root.toString(), root.relativize(paths.get(0)).toString(), files);
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The folder of each bundle written on this JVM, by digest: each is written once. */
    private static final Map<String, Path> WRITTEN = new LinkedHashMap<>();
    private static int writes;

    /** The local copy of the referenced file, the bundle written on first use in this JVM. */
    Path local() {
        return folder().resolve(entry);
    }

    /** The local folder holding this bundle's files (written on first use). */
    Path folder() {
        synchronized (WRITTEN) {
            Path dir = WRITTEN.get(digest);
            if (dir != null) return dir;
            try {
                dir = Files.createTempDirectory("fksteer-model-").toRealPath();
                for (Map.Entry<String, byte[]> e : files.entrySet()) {
                    Path f = dir.resolve(e.getKey()).normalize();
                    if (!f.startsWith(dir)) throw new IOException("bundle path escapes its folder: " + e.getKey());
                    Files.createDirectories(f.getParent());
                    Files.write(f, e.getValue());
                }
                deleteOnExit(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the model files of " + reference + " on this executor: " + e.getMessage(), e);
            }
            WRITTEN.put(digest, dir);
            writes++;
            return dir;
        }
    }

    /** How many bundles this JVM has written to disk (each once). */
    static int writes() {
        synchronized (WRITTEN) {
            return writes;
        }
    }

    private static void deleteOnExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Batch.delete(dir);
            } catch (IOException | UncheckedIOException ignored) {
                // a temp folder left behind
            }
        }));
    }

    /**
     * Rewrites what the executor's paths put into a string back to the driver's: the local copy of the
     * referenced file to the reference as written, the local folder to the driver's.
     */
    String unmap(String s) {
        Path dir;
        synchronized (WRITTEN) {
            dir = WRITTEN.get(digest);
        }
        if (dir == null || s == null) return s;
        // a file below the folder, then the folder itself: when root is "/", "DIR/x" must become "/x", not "//x"
        String sep = dir.getFileSystem().getSeparator(), rootSep = root.endsWith(sep) ? root : root + sep;
        return s.replace(dir.resolve(entry).toString(), Path.of(reference).toString()).replace(dir + sep, rootSep).replace(dir.toString(), root);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelBundle b && b.digest.equals(digest) && b.reference.equals(reference);
    }

    @Override
    public int hashCode() {
        return digest.hashCode() * 31 + reference.hashCode();
    }

    @Override
    public String toString() {
        return "ModelBundle[" + reference + ", " + files.size() + " files, " + digest.substring(0, 12) + "]";
    }
}
