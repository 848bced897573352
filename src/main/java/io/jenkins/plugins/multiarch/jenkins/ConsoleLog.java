package io.jenkins.plugins.multiarch.jenkins;

import hudson.model.TaskListener;
import io.jenkins.plugins.multiarch.LogListener;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Core's {@link LogListener} writing to a build's console. Serializable so that it travels with a
 * callable to the agent (the {@link TaskListener} is remotable). Every line is masked against the
 * secrets it was given, a second line of defence behind core, which never logs secrets itself.
 */
final class ConsoleLog implements LogListener, Serializable {

    private static final long serialVersionUID = 1L;
    private static final String MASK = "****";

    private final TaskListener listener;
    private final List<String> secrets;
    private final boolean verbose;

    ConsoleLog(TaskListener listener, List<String> secrets, boolean verbose) {
        this.listener = listener;
        this.secrets = new ArrayList<>();
        for (String s : secrets) {
            if (s != null && s.length() >= 3) {
                this.secrets.add(s);
            }
        }
        this.verbose = verbose;
    }

    @Override
    public void log(Level level, String message) {
        if (level == Level.DEBUG && !verbose) {
            return;
        }
        String line = mask(message);
        PrintStream out = listener.getLogger();
        synchronized (out) {
            out.println(level == Level.WARN ? "WARNING: " + line : line);
        }
    }

    /**
     * Pushes buffered lines to the build log. On an agent the listener is Pipeline's remote stream (workflow-api
     * BufferedBuildListener: a non-autoflushing PrintStream over a 64 KiB DelayBufferedOutputStream that a timer
     * empties only after a second or more). Remoting delivers every byte written to the remote stream before the
     * callable's answer (hudson.remoting.Request waits for the I/O issued before the response), so a flush before
     * the callable returns, or fails, puts its lines in the log, in order, before the next step's.
     */
    void flush() {
        listener.getLogger().flush();
    }

    String mask(String message) {
        String m = message == null ? "" : message;
        for (String s : secrets) {
            m = m.replace(s, MASK);
        }
        return m;
    }
}
