package fksteer.onnx;

import fksteer.io.InvalidSettingException;
import fksteer.io.Quote;
import fksteer.process.Shape;
import fksteer.reward.Reward;
import fksteer.reward.Rewards;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code onnx:} reward terms for {@link Rewards#parse(String, Map)}:
 * {@code onnx:FILE} (the scorer's scalar output) and {@code onnx:FILE:class=C} (log p(C | x) from its
 * logits), alone or in weighted sums with the built-ins, e.g. {@code 0.5*onnx:clf.onnx:class=3+quadratic:0,0}.
 * FILE runs to ':class=' or to the next '+', so it cannot hold a '+'. Every scorer opened is added
 * to {@code opened}, which the caller closes.
 */
public final class OnnxRewards {
    private static final Pattern OPTION = Pattern.compile("^(.*):([A-Za-z]+)=([^:]*)$");
    /** The largest class index accepted. */
    public static final int MAX_CLASS = 1 << 20;

    private OnnxRewards() {}

    /** The term readers: "onnx" scoring samples of the given shape. */
    public static Map<String, Rewards.TermReader> terms(Shape sample, OnnxOptions options, List<AutoCloseable> opened) {
        return Map.of("onnx", args -> read(args, sample, options, opened));
    }

    /** Parses a --reward spec whose terms may include onnx:FILE[:class=C], scoring samples of the given shape. */
    public static Reward parse(String spec, Shape sample, OnnxOptions options, List<AutoCloseable> opened) {
        return Rewards.parse(spec, terms(sample, options, opened));
    }

    /** Closes every scorer that {@link #parse} or {@link #terms} opened into the list, and empties it. */
    public static void closeAll(List<AutoCloseable> opened) {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                // closing frees native memory only: nothing a result depends on
            }
        }
        opened.clear();
    }

    private static Reward read(String args, Shape sample, OnnxOptions options, List<AutoCloseable> opened) {
        String file = args;
        int cls = -1;
        Matcher m = OPTION.matcher(args);
        if (m.matches()) {
            if (!m.group(2).equals("class"))
                throw new InvalidSettingException("reward", "onnx:" + Quote.of(args, 0, 120) + " has an unknown option " + Quote.of(m.group(2))
                        + "; the only one is class=C (onnx:FILE:class=C)");
            if (!m.group(3).matches("\\d{1,7}") || Integer.parseInt(m.group(3)) > MAX_CLASS)
                throw new InvalidSettingException("reward", "onnx:" + Quote.of(args, 0, 120) + " needs class=C with C an integer in [0, " + MAX_CLASS
                        + "], got " + Quote.of(m.group(3)));
            file = m.group(1).strip();
            cls = Integer.parseInt(m.group(3));
        }
        if (file.isEmpty()) throw new InvalidSettingException("reward", "onnx: needs a file: onnx:FILE or onnx:FILE:class=C");
        Path p;
        try {
            p = Path.of(file);
        } catch (InvalidPathException e) {
            throw new InvalidSettingException("reward", "onnx:" + Quote.of(file, 0, 120) + " is not a valid path");
        }
        OnnxScorer s = OnnxScorer.open(p, sample, cls, "onnx:" + args, options);
        opened.add(s);
        return s;
    }
}
