package io.jenkins.plugins.multiarch;

/**
 * Root of the engine's one exception family. Every failure a caller can act on is one of the
 * subclasses; each message names the input that was wrong and how to fix it. Messages never carry
 * secrets (passwords, tokens, Authorization headers, presigned query strings).
 */
public abstract class MultiarchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected MultiarchException(String message) {
        super(message);
    }

    protected MultiarchException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The CLI exit code of this family: 2 bad input, 3 verification failed, 4 registry/auth/network, 5 build failed. */
    public abstract int exitCode();
}
