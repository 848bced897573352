package io.jenkins.plugins.multiarch;

/**
 * What the registry holds is not what was claimed: a child of another platform than claimed, duplicate
 * platforms, a missing child or required platform, a digest that does not match. Exit code 3.
 */
public class VerificationException extends MultiarchException {
    private static final long serialVersionUID = 1L;

    public VerificationException(String message) {
        super(message);
    }

    public VerificationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public int exitCode() {
        return 3;
    }
}
