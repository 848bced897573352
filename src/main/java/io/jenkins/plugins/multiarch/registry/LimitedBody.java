package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.RegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a response body into a {@link Reply}: at most the call's limit (error bodies at most
 * {@link Call#ERROR_BODY_LIMIT}), and never past the request's {@link Deadline}, however slowly the bytes come.
 */
final class LimitedBody {

    /** Closes bodies that are still being read when their deadline passes. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private LimitedBody() {}

    /** One daemon thread; a read that ends in time cancels its guard, which is then dropped at once, not kept until its deadline. */
    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "multiarch-registry-deadline");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Guards not yet fired nor cancelled (tests: cancelled ones must not pile up). */
    static int pendingWatchdogTasks() {
        return WATCHDOG.getQueue().size();
    }

    /** The reply to {@code call} from {@code uri}: HEAD without body, an open stream when asked for, else the bytes. */
    static Reply read(Call call, HttpResponse<InputStream> response, URI uri, Deadline deadline) throws IOException {
        int status = response.statusCode();
        boolean ok = status >= 200 && status < 300;
        InputStream body = response.body();
        if (call.method.equals("HEAD")) {
            discard(body);
            return new Reply(status, response.headers(), uri, new byte[0], null);
        }
        if (ok && call.streamResponse) {
            return new Reply(status, response.headers(), uri, null, body);
        }
        long limit = ok ? call.maxBody : Call.ERROR_BODY_LIMIT;
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (ok && declared > limit) {
            discard(body);
            throw new BodyTooLargeException(
                    call.operation + " failed: the registry announced " + declared + " bytes, more than the limit of "
                            + limit + " bytes",
                    status);
        }
        byte[] bytes = readLimited(body, limit, deadline);
        if (bytes == null) {
            if (ok) {
                throw new BodyTooLargeException(
                        call.operation + " failed: the response is larger than the limit of " + limit + " bytes",
                        status);
            }
            bytes = new byte[0];
        }
        return new Reply(status, response.headers(), uri, bytes, null);
    }

    /** Reads at most {@code limit} bytes; null when there are more. Closes the stream at the deadline. */
    static byte[] readLimited(InputStream in, long limit, Deadline deadline) throws IOException {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> guard = WATCHDOG.schedule(
                () -> {
                    timedOut.set(true);
                    try {
                        in.close();
                    } catch (IOException ignored) {
                        // the reader sees the failure
                    }
                },
                Math.max(1, deadline.remaining().toMillis()),
                TimeUnit.MILLISECONDS);
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
                if (total > limit) {
                    return null;
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new DeadlineException();
            }
            throw e;
        } finally {
            guard.cancel(false);
        }
    }

    static void discard(InputStream in) {
        try (in) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // a body we do not need
        }
    }

    /** The overall deadline passed while a body was being read (or before a request could start). */
    static final class DeadlineException extends HttpTimeoutException {
        private static final long serialVersionUID = 1L;

        DeadlineException() {
            super("deadline reached");
        }
    }

    /** A body over its limit: final, not retried. */
    static final class BodyTooLargeException extends RegistryException {
        private static final long serialVersionUID = 1L;

        BodyTooLargeException(String message, int status) {
            super(message, status, null);
        }
    }
}
