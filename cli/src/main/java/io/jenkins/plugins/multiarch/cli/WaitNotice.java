package io.jenkins.plugins.multiarch.cli;

import io.jenkins.plugins.multiarch.LogListener;
import java.io.PrintStream;
import java.time.Duration;

/**
 * A listener that notices silence: while a command talks to a registry, a line on stderr after every stretch with
 * no progress (no log line, not even an unprinted debug line, which each request writes), so that a registry that
 * hangs shows as a wait with its limit instead of minutes of nothing.
 */
final class WaitNotice implements LogListener, AutoCloseable {

    static final Duration FIRST = Duration.ofSeconds(5);
    static final Duration EVERY = Duration.ofSeconds(10);

    private final LogListener delegate;
    private final PrintStream err;
    private volatile long lastActivity = System.nanoTime();
    private Thread watcher;

    WaitNotice(LogListener delegate, PrintStream err) {
        this.delegate = delegate;
        this.err = err;
    }

    @Override
    public void log(Level level, String message) {
        lastActivity = System.nanoTime();
        delegate.log(level, message);
    }

    /** Starts noticing waits for {@code what} (e.g. {@code registry 127.0.0.1:5000}) until {@link #close}. */
    synchronized WaitNotice watch(String what, Duration timeout) {
        close();
        lastActivity = System.nanoTime();
        watcher = new Thread(() -> run(what, timeout), "multiarch-wait-notice");
        watcher.setDaemon(true);
        watcher.start();
        return this;
    }

    private void run(String what, Duration timeout) {
        long noticed = lastActivity;
        Duration next = FIRST;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(250);
                long since = lastActivity;
                if (since != noticed) {
                    noticed = since;
                    next = FIRST;
                }
                Duration quiet = Duration.ofNanos(System.nanoTime() - since);
                if (quiet.compareTo(next) >= 0) {
                    synchronized (err) {
                        err.println("waiting for " + what + ": no answer for " + quiet.toSeconds() + " s (a request is "
                                + "given up after " + timeout.toSeconds() + " s; --timeout SECONDS to wait longer)");
                        err.flush();
                    }
                    next = next.plus(EVERY);
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.interrupt();
            watcher = null;
        }
    }
}
