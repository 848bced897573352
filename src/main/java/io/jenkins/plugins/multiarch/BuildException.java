package io.jenkins.plugins.multiarch;

import java.util.List;

/** An image build or its push failed. Carries the last lines of the build log. Exit code 5. */
public class BuildException extends MultiarchException {
    private static final long serialVersionUID = 1L;

    private final List<String> logTail;

    public BuildException(String message, List<String> logTail) {
        this(message, logTail, null);
    }

    public BuildException(String message, List<String> logTail, Throwable cause) {
        super(message + formatTail(logTail), cause);
        this.logTail = List.copyOf(logTail);
    }

    public List<String> logTail() {
        return logTail;
    }

    private static String formatTail(List<String> tail) {
        if (tail.isEmpty()) {
            return "";
        }
        return "\nLast lines of the build log:\n  " + String.join("\n  ", tail);
    }

    @Override
    public int exitCode() {
        return 5;
    }
}
