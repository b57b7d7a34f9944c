package fksteer.io;

/**
 * Input a user gave us is wrong: reported as one line, exit code 2. An {@link IllegalArgumentException},
 * so library callers may catch either.
 */
public class BadInputException extends IllegalArgumentException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
