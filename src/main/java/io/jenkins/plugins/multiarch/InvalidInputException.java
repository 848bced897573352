package io.jenkins.plugins.multiarch;

/** Bad input from the user: a reference, platform, option or file that breaks a rule. Exit code 2. */
public class InvalidInputException extends MultiarchException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return 2;
    }
}
