package fksteer.io;

/**
 * Quotes user text (a spec, a file or tensor name) inside a one-line error message: at most a given
 * number of its characters, control and other non-printing characters written as \\uXXXX, and "…"
 * where it was cut, so that a message stays one short line whatever the input holds.
 */
public final class Quote {
    /** How many characters of user text a message quotes at most. */
    public static final int MAX = 80;

    private Quote() {}

    /** 'text' with at most {@link #MAX} of its characters. */
    public static String of(String text) {
        return of(text, 0, MAX);
    }

    /**
     * 'text[from, from + max)', with "…" on each side where text goes on, its non-printing characters
     * escaped.
     */
    public static String of(String text, int from, int max) {
        if (text == null) return "''";
        int a = Math.max(0, Math.min(from, text.length())), b = (int) Math.min(text.length(), (long) a + max);
        StringBuilder s = new StringBuilder("'");
        if (a > 0) s.append('…');
        for (int i = a; i < b; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c) && c != ' ' || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < b && Character.isLowSurrogate(text.charAt(i + 1))
                            || Character.isLowSurrogate(c) && i > a && Character.isHighSurrogate(text.charAt(i - 1))))
                s.append(String.format("\\u%04x", (int) c));
            else s.append(c);
        }
        if (b < text.length()) s.append('…');
        return s.append('\'').toString();
    }

    /** A window of at most {@link #MAX} characters of text around position at (an error's place). */
    public static String around(String text, int at) {
        int from = text == null || text.length() <= MAX ? 0 : Math.max(0, Math.min(at - MAX / 2, text.length() - MAX));
        return of(text, from, MAX);
    }
}
