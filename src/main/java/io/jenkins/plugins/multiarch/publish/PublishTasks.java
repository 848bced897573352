package io.jenkins.plugins.multiarch.publish;

import io.jenkins.plugins.multiarch.RegistryException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The tasks one publish put on the shared pool. None of them ever waits for another (so a full pool cannot
 * deadlock); whatever still runs when the publish ends (it failed) is cancelled.
 */
final class PublishTasks implements AutoCloseable {

    /**
     * The threads every publish in this JVM shares (a controller runs many at once), so their number is bounded
     * here, not by the number of publishes. A publish hands all its independent requests to them at once; how many
     * go to one registry at a time is the registry client's business (its per-registry limits: 8 at once over
     * HTTP/1.1, 100 streams on one HTTP/2 connection), so over HTTP/2 the reads of 32 children go together.
     */
    private static final int THREADS = 64;

    private static final ThreadPoolExecutor POOL = pool();

    private final List<Future<?>> started = new ArrayList<>();

    /** Daemon threads, made on demand up to {@value #THREADS} and gone after a minute idle. */
    private static ThreadPoolExecutor pool() {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "multiarch-publish");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    synchronized <T> Future<T> submit(Callable<T> task) {
        Future<T> f = POOL.submit(task);
        started.add(f);
        return f;
    }

    /** Runs {@code work} on every item on the shared pool; results in input order. */
    <T, R> List<R> inParallel(List<T> items, Function<T, R> work) {
        if (items.size() <= 1) {
            return items.stream().map(work).toList();
        }
        List<Future<R>> futures = new ArrayList<>();
        for (T item : items) {
            futures.add(submit(() -> work.apply(item)));
        }
        List<R> results = new ArrayList<>();
        for (Future<R> f : futures) {
            results.add(await(f));
        }
        return results;
    }

    static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while talking to the registry", e);
        } catch (ExecutionException e) {
            // our exception family, and bugs (NPE ...) or errors, keep their own type: never masked as a registry
            // failure
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public synchronized void close() {
        started.forEach(f -> f.cancel(true));
    }
}
