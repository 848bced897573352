package io.jenkins.plugins.multiarch;

import java.io.PrintStream;

/**
 * Where the engine reports progress instead of a console: the CLI prints it, the plugin writes it to
 * the build log, tests capture it. Messages never contain secrets.
 */
@FunctionalInterface
public interface LogListener {
    enum Level {
        DEBUG,
        INFO,
        WARN
    }

    void log(Level level, String message);

    default void info(String message) {
        log(Level.INFO, message);
    }

    default void warn(String message) {
        log(Level.WARN, message);
    }

    default void debug(String message) {
        log(Level.DEBUG, message);
    }

    LogListener NONE = (level, message) -> {};

    /** Prints INFO and WARN lines (WARN prefixed); DEBUG only when {@code verbose}. */
    static LogListener printingTo(PrintStream out, boolean verbose) {
        return (level, message) -> {
            if (level == Level.DEBUG && !verbose) {
                return;
            }
            synchronized (out) {
                out.println(level == Level.WARN ? "WARNING: " + message : message);
            }
        };
    }
}
