package fksteer.io;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A library setting that is out of range. The message names the setting by its Java name
 * ({@code particles}, {@code lookaheadSteps}, {@code reward}), never by a command-line flag; the CLI
 * maps the name to its flag ({@code --particles}, {@code --lookahead-steps}) when it prints the error.
 *
 * <p>A problem that mentions other settings ("must be in [0, tStart)") lists them as {@code related},
 * so that {@link #message(UnaryOperator)} can rename those mentions too.
 */
public class InvalidSettingException extends BadInputException {
    private final String setting;
    private final String problem;
    private final List<String> related;

    /**
     * @param setting the parameter's Java name, e.g. "particles"
     * @param problem what is wrong and what is allowed, e.g. "must be in [1, 50000000], got 0" (or ": file not found: x")
     * @param related other settings the problem mentions by their Java names, e.g. "tStart"
     */
    public InvalidSettingException(String setting, String problem, String... related) {
        super(join(setting, problem));
        this.setting = Objects.requireNonNull(setting, "setting");
        this.problem = Objects.requireNonNull(problem, "problem");
        this.related = List.of(related);
    }

    public String setting() {
        return setting;
    }

    public String problem() {
        return problem;
    }

    /** The other settings the problem mentions, by their Java names. */
    public List<String> related() {
        return related;
    }

    /**
     * The message with every setting renamed by {@code name}: the setting itself, then the problem with
     * each whole-word mention of a related setting renamed. {@code message(s -> s)} is {@link #getMessage()}.
     */
    public String message(UnaryOperator<String> name) {
        String p = problem;
        if (!related.isEmpty()) {
            StringBuilder alternatives = new StringBuilder();
            for (String r : related) alternatives.append(alternatives.isEmpty() ? "" : "|").append(Pattern.quote(r));
            Matcher m = Pattern.compile("\\b(?:" + alternatives + ")\\b").matcher(p);
            p = m.replaceAll(match -> Matcher.quoteReplacement(name.apply(match.group())));
        }
        return join(name.apply(setting), p);
    }

    /** "particles must be ...", or "model: file not found" when the problem starts with a colon. */
    private static String join(String name, String problem) {
        return problem.startsWith(":") ? name + problem : name + " " + problem;
    }

    /** Throws unless ok: a one-line check that names the setting. */
    public static void require(boolean ok, String setting, String problem, String... related) {
        if (!ok) throw new InvalidSettingException(setting, problem, related);
    }
}
