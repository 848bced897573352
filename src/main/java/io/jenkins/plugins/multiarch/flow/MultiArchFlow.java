package io.jenkins.plugins.multiarch.flow;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.builder.HostArchitecture;
import io.jenkins.plugins.multiarch.builder.ImageBuilder;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The whole CI flow on one machine: build and push every platform, write a record per platform, then
 * publish one verified list from those records (what the seed did with per-arch Jenkins agents and
 * {@code docker manifest create/annotate/push}).
 *
 * <p>Everything that can be checked is checked before the first build (files, platforms, the emulation
 * guard for every platform, tags for the list), so a bad input never leaves half the platforms pushed.
 * When a platform's build fails, no list is published; the platforms that were pushed are recorded and named in
 * the failure, so that a re-run or an {@code --optional} publish can use them. The publish itself is
 * {@link PublishFromRecords}, the one path from records to a list.
 */
public final class MultiArchFlow {

    /** How long an aborted parallel build waits for its platforms' builds to stop their processes. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(15);

    private final ImageBuilder builder;
    private final RegistryClient client;
    private final LogListener listener;

    public MultiArchFlow(ImageBuilder builder, RegistryClient client, LogListener listener) {
        this.builder = Objects.requireNonNull(builder, "builder");
        this.client = Objects.requireNonNull(client, "client");
        this.listener = listener == null ? LogListener.NONE : listener;
    }

    /**
     * What to run.
     *
     * @param template the build for every platform (its own platform is replaced by each of {@code platforms})
     * @param platforms the platforms to build, each once
     * @param recordsDir where records are written, or null for none
     * @param publish whether to publish the list after the builds
     * @param format the list's format
     * @param annotations annotations of the list (OCI index only)
     * @param parallelism how many platforms build at once (1 = one after another)
     */
    public record Request(
            BuildRequest template,
            List<Platform> platforms,
            Path recordsDir,
            boolean publish,
            ListFormat format,
            Map<String, String> annotations,
            int parallelism) {

        public Request {
            Objects.requireNonNull(template, "template");
            if (platforms == null || platforms.isEmpty()) {
                throw new InvalidInputException("no platform to build: give --platform, e.g. --platform linux/amd64 "
                        + "--platform linux/arm64");
            }
            List<Platform> unique = new ArrayList<>();
            for (Platform p : platforms) {
                if (unique.stream().anyMatch(p::matches)) {
                    throw new InvalidInputException("platform " + p + " is given twice: name each platform once");
                }
                unique.add(p);
            }
            platforms = List.copyOf(unique);
            format = format == null ? ListFormat.AUTO : format;
            annotations = Map.copyOf(annotations == null ? Map.of() : new LinkedHashMap<>(annotations));
            parallelism = Math.max(1, parallelism);
            if (publish && template.tags().isEmpty()) {
                throw new InvalidInputException(
                        "publishing the list needs at least one tag: give --tag, e.g. --tag 1.0 "
                                + "(or --no-publish to build and record only)");
            }
            if (publish && format == ListFormat.DOCKER && template.provenance().enabled()) {
                // refused before anything is built: a Docker manifest list has no place for an attestation entry
                throw new InvalidInputException("format docker cannot carry the provenance attestations the builds"
                        + " attach (provenance " + template.provenance().mode() + "): use --format oci or auto, or"
                        + " --provenance off");
            }
        }

        public static Request of(BuildRequest template, Collection<Platform> platforms, Path recordsDir) {
            return new Request(template, List.copyOf(platforms), recordsDir, true, ListFormat.AUTO, Map.of(), 1);
        }
    }

    /** What the flow did: one record per platform (in the order asked), their files, and the publish result. */
    public record Result(
            List<ArchImageRecord> records,
            List<Path> recordFiles,
            PublishResult published,
            Duration buildTime,
            Duration publishTime) {

        public Result {
            records = List.copyOf(records);
            recordFiles = List.copyOf(recordFiles);
        }

        public Optional<PublishResult> publishResult() {
            return Optional.ofNullable(published);
        }
    }

    public Result run(Request request) {
        List<BuildRequest> builds = new ArrayList<>();
        Platform host = builder.hostPlatform();
        for (Platform p : request.platforms()) {
            BuildRequest b = request.template().withPlatform(p);
            b.checkFiles();
            HostArchitecture.guard(b, host, "the " + builder.name() + " builder", LogListener.NONE);
            builds.add(b);
        }
        Instant start = Instant.now();
        // every builder can build several platforms at once: buildah with per-build storage, and one Docker Engine
        // (each platform's image gets its own names; the pushed platform is checked whatever the engine did)
        Builds done = request.parallelism() > 1 && builds.size() > 1
                ? buildParallel(builds, request.parallelism())
                : buildSequential(builds);
        List<ArchImageRecord> records = done.records();
        List<Path> files = new ArrayList<>();
        if (request.recordsDir() != null && !records.isEmpty()) {
            // on a partial failure too: a re-run or an --optional publish can use the platforms that were pushed
            RecordStore.Written written = RecordStore.replaceImage(
                    request.recordsDir(), request.template().image(), records);
            files.addAll(written.written());
            written.written().forEach(f -> listener.info("record " + f));
            written.removed()
                    .forEach(f -> listener.info("removed stale record " + f + " (a platform this build did not make)"));
        }
        if (!done.failures().isEmpty()) {
            if (builds.size() == 1) {
                throw done.failures().get(0).error();
            }
            throw new PartialBuild(
                            done.failures(), records, done.notStarted(), files.isEmpty() ? null : request.recordsDir())
                    .toException(request.template().image(), request.template().tags());
        }
        Duration buildTime = Duration.between(start, Instant.now());
        if (!request.publish()) {
            listener.info("built " + records.size() + " platform(s) in " + buildTime.toMillis()
                    + " ms; not publishing (--no-publish)");
            return new Result(records, files, null, buildTime, Duration.ZERO);
        }
        Instant publishStart = Instant.now();
        PublishResult result = new PublishFromRecords(client, listener)
                .publishRecords(
                        records,
                        PublishRequest.builder()
                                .target(request.template().image())
                                .tags(request.template().tags())
                                .format(request.format())
                                .annotations(request.annotations())
                                .requirePlatforms(request.platforms()))
                .result();
        return new Result(records, files, result, buildTime, Duration.between(publishStart, Instant.now()));
    }

    /** What the builds gave: the records of the platforms pushed, the failures, the platforms never started. */
    private record Builds(
            List<ArchImageRecord> records, List<PartialBuild.Failure> failures, List<Platform> notStarted) {}

    /** One platform after another; after a failure the rest are not started (they would likely fail alike). */
    private Builds buildSequential(List<BuildRequest> builds) {
        List<ArchImageRecord> records = new ArrayList<>();
        for (int i = 0; i < builds.size(); i++) {
            BuildRequest b = builds.get(i);
            if (Thread.currentThread().isInterrupted()) {
                // an abort that arrived between two platforms: do not start the next one
                throw new BuildException(
                        "build interrupted: " + records.size() + " of " + builds.size()
                                + " platform(s) were built before the abort; nothing was published",
                        List.of());
            }
            try {
                records.add(builder.build(b, listener));
            } catch (MultiarchException e) {
                List<Platform> rest = builds.subList(i + 1, builds.size()).stream()
                        .map(BuildRequest::platform)
                        .toList();
                return new Builds(records, List.of(new PartialBuild.Failure(b.platform(), e)), rest);
            }
        }
        return new Builds(records, List.of(), List.of());
    }

    private Builds buildParallel(List<BuildRequest> builds, int parallelism) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, builds.size()));
        try {
            List<Future<ArchImageRecord>> futures = new ArrayList<>();
            for (BuildRequest b : builds) {
                futures.add(pool.submit(() -> builder.build(b, listener)));
            }
            List<ArchImageRecord> records = new ArrayList<>();
            List<PartialBuild.Failure> failures = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    records.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof MultiarchException me) {
                        failures.add(new PartialBuild.Failure(builds.get(i).platform(), me));
                    } else if (cause instanceof RuntimeException re) {
                        throw re;
                    } else {
                        throw new BuildException("a build failed unexpectedly: " + cause, List.of(), cause);
                    }
                } catch (InterruptedException e) {
                    // an abort: stop every build (each stops its own processes when interrupted), then say so
                    stopAll(pool);
                    Thread.currentThread().interrupt();
                    throw new BuildException(
                            "build interrupted: the builds of " + builds.size() + " platform(s) were "
                                    + "stopped (the build was aborted); nothing was published",
                            List.of(),
                            e);
                }
            }
            return new Builds(records, failures, List.of());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Interrupts the running builds and gives them a moment to stop their processes before returning. */
    private static void stopAll(ExecutorService pool) {
        pool.shutdownNow();
        try {
            pool.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException again) {
            // a second abort: return at once
        }
    }
}
