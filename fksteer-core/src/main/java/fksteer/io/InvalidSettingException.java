package fksteer.io;

/**
 * A library setting that is out of range. The message names the setting by its Java name
 * ({@code particles}, {@code lookaheadSteps}, {@code reward}), never by a command-line flag; the CLI
 * maps the name to its flag ({@code --particles}, {@code --lookahead-steps}) when it prints the error.
 */
public class InvalidSettingException extends BadInputException {
    private final String setting;
    private final String problem;

    /**
     * @param setting the parameter's Java name, e.g. "particles"
     * @param problem what is wrong and what is allowed, e.g. "must be in [1, 50000000], got 0"
     */
    public InvalidSettingException(String setting, String problem) {
        super(setting + " " + problem);
        this.setting = setting;
        this.problem = problem;
    }

    public String setting() {
        return setting;
    }

    public String problem() {
        return problem;
    }

    /** Throws unless ok: a one-line check that names the setting. */
    public static void require(boolean ok, String setting, String problem) {
        if (!ok) throw new InvalidSettingException(setting, problem);
    }
}
