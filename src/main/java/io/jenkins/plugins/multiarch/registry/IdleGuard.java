package io.jenkins.plugins.multiarch.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A streamed download that must keep moving: when no byte arrives for {@code idle}, the stream is closed and the
 * next read fails with an {@link IOException}. A blob streamed from one registry into another is read on the thread
 * that sends the upload, where the upload's own timeout cannot interrupt a read that waits forever on a source that
 * stopped sending; this turns that into a failed upload session, which the caller retries from a new download.
 */
final class IdleGuard extends FilterInputStream {

    private static final ScheduledThreadPoolExecutor CHECKS = checks();

    private final long idleNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;

    private IdleGuard(InputStream in, Duration idle) {
        super(in);
        this.idleNanos = idle.toNanos();
        long period = Math.max(100, Math.min(1000, idle.toMillis() / 4));
        this.check = CHECKS.scheduleWithFixedDelay(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /** Watches {@code in}: closed after {@code idle} without a byte (the guard ends when the stream is closed). */
    static IdleGuard watch(InputStream in, Duration idle) {
        return new IdleGuard(in, idle);
    }

    private static ScheduledThreadPoolExecutor checks() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "multiarch-stream-idle");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    private void checkIdle() {
        if (System.nanoTime() - lastProgress > idleNanos) {
            stalled = true;
            check.cancel(false);
            try {
                in.close(); // the blocked reader wakes up with a failure
            } catch (IOException ignored) {
                // the reader sees the failure
            }
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (stalled) {
            throw stalledFailure();
        }
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException e) {
            if (stalled) {
                throw stalledFailure();
            }
            throw e;
        }
        if (stalled) {
            throw stalledFailure();
        }
        lastProgress = System.nanoTime();
        if (n < 0) {
            check.cancel(false);
        }
        return n;
    }

    private IOException stalledFailure() {
        return new IOException("the source sent no data for " + idleNanos / 1_000_000_000 + " s");
    }

    /** Whether the guard closed the stream. */
    boolean stalled() {
        return stalled;
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }
}
