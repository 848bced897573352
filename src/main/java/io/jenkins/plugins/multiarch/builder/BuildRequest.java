package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.provenance.ProvenanceOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One platform's build: the context and Dockerfile, the platform, what to pass to the build, and where
 * and under which names to push. Built with {@link #builder()}, which checks the values; the files are
 * checked by {@link #checkFiles()} on the machine that builds.
 *
 * @param workspace when set, the context and the Dockerfile must lie inside it (the CLI's working
 *     directory, the Jenkins workspace): a context such as {@code ../..} would send a whole home directory
 *     to the engine
 * @param sourceUrl value of the {@code org.opencontainers.image.source} label, when known
 * @param sourceDateEpoch the image's creation time when given ({@code SOURCE_DATE_EPOCH}); null: the commit
 *     time of the checked-out revision, else the time of the build
 * @param cache the per-platform build cache ({@link BuildCache}); null: none
 * @param platformPrefix whether each build line starts with {@code [linux/amd64] } (the CLI's interleaved
 *     platforms need it; inside a Jenkins parallel branch the branch's own label already says it)
 * @param provenance whether and how the build attaches a provenance attestation (docs/provenance.md); null: none
 */
public record BuildRequest(
        Path context,
        Path dockerfile,
        Platform platform,
        Map<String, String> buildArgs,
        Set<String> secretBuildArgNames,
        String target,
        Map<String, String> labels,
        boolean pull,
        boolean noCache,
        boolean allowEmulation,
        ImageReference image,
        List<String> tags,
        Naming naming,
        String sourceRevision,
        String sourceUrl,
        String agentName,
        Path workspace,
        Instant sourceDateEpoch,
        BuildCache cache,
        boolean platformPrefix,
        ProvenanceOptions provenance) {

    public static final String LABEL_SOURCE = "org.opencontainers.image.source";
    public static final String LABEL_REVISION = "org.opencontainers.image.revision";
    public static final String LABEL_CREATED = "org.opencontainers.image.created";

    private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");

    public BuildRequest {
        if (context == null) {
            throw new InvalidInputException("the build context directory is required, e.g. '.' or examples/offline");
        }
        context = context.toAbsolutePath().normalize();
        dockerfile = dockerfile == null
                ? context.resolve("Dockerfile")
                : context.resolve(dockerfile).toAbsolutePath().normalize();
        if (platform == null) {
            throw new InvalidInputException("a platform is required, e.g. linux/amd64 or linux/arm64");
        }
        try {
            platform.dockerLibraryArch();
        } catch (InvalidInputException e) {
            throw new InvalidInputException(
                    "platform '" + platform + "' is not one multiarch can build: use linux/amd64, "
                            + "linux/arm64, linux/arm/v7, linux/arm/v6, linux/386, linux/ppc64le, linux/s390x or linux/riscv64",
                    e);
        }
        if (image == null) {
            throw new InvalidInputException(
                    "the image repository is required, e.g. --image 127.0.0.1:5000/onap/py-app");
        }
        if (image.digest().isPresent()) {
            throw new InvalidInputException("image '" + image + "' must name a repository, not a digest");
        }
        List<String> allTags = new ArrayList<>(tags == null ? List.of() : tags);
        image.tag().filter(t -> !allTags.contains(t)).ifPresent(t -> allTags.add(0, t));
        for (String tag : allTags) {
            if (tag == null || !TAG.matcher(tag).matches()) {
                throw new InvalidInputException("tag '" + tag + "' is invalid: use letters, digits, '_', '.', '-' "
                        + "(at most 128, not starting with '.' or '-')");
            }
        }
        tags = List.copyOf(new LinkedHashSet<>(allTags));
        image = image.withoutTagOrDigest();
        naming = naming == null ? Naming.DIGEST : naming;
        if (naming != Naming.DIGEST && tags.isEmpty()) {
            throw new InvalidInputException(
                    "naming " + naming.cliName() + " needs at least one tag: give --tag, e.g. --tag 1.0");
        }
        buildArgs = Map.copyOf(buildArgs == null ? Map.of() : new LinkedHashMap<>(buildArgs));
        for (Map.Entry<String, String> e : buildArgs.entrySet()) {
            if (!ARG_NAME.matcher(e.getKey()).matches()) {
                throw new InvalidInputException(
                        "build arg name '" + e.getKey() + "' is invalid: use letters, digits and '_'");
            }
            Objects.requireNonNull(e.getValue(), "value of build arg " + e.getKey());
        }
        secretBuildArgNames = Set.copyOf(secretBuildArgNames == null ? Set.of() : secretBuildArgNames);
        for (String name : secretBuildArgNames) {
            if (!buildArgs.containsKey(name)) {
                throw new InvalidInputException(
                        "secret build arg '" + name + "' has no value: pass it as a build arg too");
            }
        }
        labels = Map.copyOf(labels == null ? Map.of() : new LinkedHashMap<>(labels));
        target = target == null || target.isBlank() ? null : target.trim();
        sourceRevision = blankToNull(sourceRevision);
        sourceUrl = SourceUrl.forLabel(blankToNull(sourceUrl)); // never a token or password in a label
        agentName = blankToNull(agentName);
        workspace = workspace == null ? null : workspace.toAbsolutePath().normalize();
        provenance = provenance == null ? ProvenanceOptions.off() : provenance;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The same request for another platform (the flow builds one request per platform). */
    public BuildRequest withPlatform(Platform other) {
        return new BuildRequest(
                context,
                dockerfile,
                other,
                buildArgs,
                secretBuildArgNames,
                target,
                labels,
                pull,
                noCache,
                allowEmulation,
                image,
                tags,
                naming,
                sourceRevision,
                sourceUrl,
                agentName,
                workspace,
                sourceDateEpoch,
                cache,
                platformPrefix,
                provenance);
    }

    /** The prefix of this build's log lines: {@code [linux/amd64] }, or none ({@link #platformPrefix()}). */
    public String linePrefix() {
        return platformPrefix ? "[" + platform + "] " : "";
    }

    /** Values of the secret build args, to be masked wherever output is shown. */
    public List<String> secretValues() {
        List<String> values = new ArrayList<>();
        for (String name : secretBuildArgNames) {
            String v = buildArgs.get(name);
            if (v != null && !v.isEmpty()) {
                values.add(v);
            }
        }
        return values;
    }

    /** The OCI labels we set by default, overridden by the request's own labels. */
    public Map<String, String> effectiveLabels(Instant created) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(LABEL_CREATED, created.truncatedTo(ChronoUnit.SECONDS).toString());
        if (sourceUrl != null) {
            all.put(LABEL_SOURCE, sourceUrl);
        }
        if (sourceRevision != null) {
            all.put(LABEL_REVISION, sourceRevision);
        }
        all.putAll(labels);
        return all;
    }

    /**
     * Checks, on the machine that builds, that the context is a directory, the Dockerfile a file, and
     * both inside {@link #workspace()} when it is set (symbolic links resolved).
     */
    public void checkFiles() {
        if (!Files.isDirectory(context)) {
            throw new InvalidInputException("build context '" + context
                    + "' is not a directory: give the folder that holds " + "the Dockerfile and the files it copies");
        }
        if (workspace != null) {
            Path root = real(workspace, "working directory");
            Path ctx = real(context, "build context");
            if (!ctx.startsWith(root)) {
                throw new InvalidInputException(
                        "build context '" + context + "' lies outside the working directory '" + root
                                + "': give a context inside it (a context such as '../..' would send files that are not the project's)");
            }
            if (!Files.isRegularFile(dockerfile)) {
                throw new InvalidInputException(
                        "Dockerfile '" + dockerfile + "' does not exist: create it or point --file at it");
            }
            Path df = real(dockerfile, "Dockerfile");
            if (!df.startsWith(root)) {
                throw new InvalidInputException("Dockerfile '" + dockerfile + "' lies outside the working directory '"
                        + root + "': keep it inside the project");
            }
        } else if (!Files.isRegularFile(dockerfile)) {
            throw new InvalidInputException(
                    "Dockerfile '" + dockerfile + "' does not exist: create it or point --file at it");
        }
    }

    private static Path real(Path p, String what) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new InvalidInputException(what + " '" + p + "' cannot be resolved: " + e.getMessage(), e);
        }
    }

    /** Fluent builder; {@link #build()} validates. {@code pull} defaults to true. */
    public static final class Builder {
        private Path context;
        private Path dockerfile;
        private Platform platform;
        private final Map<String, String> buildArgs = new LinkedHashMap<>();
        private final Set<String> secretBuildArgNames = new LinkedHashSet<>();
        private String target;
        private final Map<String, String> labels = new LinkedHashMap<>();
        private boolean pull = true;
        private boolean noCache;
        private boolean allowEmulation;
        private ImageReference image;
        private final List<String> tags = new ArrayList<>();
        private Naming naming = Naming.DIGEST;
        private String sourceRevision;
        private String sourceUrl;
        private String agentName;
        private Path workspace;
        private Instant sourceDateEpoch;
        private BuildCache cache;
        private boolean platformPrefix = true;
        private ProvenanceOptions provenance;

        public Builder context(Path v) {
            this.context = v;
            return this;
        }

        public Builder dockerfile(Path v) {
            this.dockerfile = v;
            return this;
        }

        public Builder platform(Platform v) {
            this.platform = v;
            return this;
        }

        public Builder platform(String v) {
            this.platform = Platform.parse(v);
            return this;
        }

        public Builder buildArg(String name, String value) {
            buildArgs.put(name, value);
            return this;
        }

        public Builder buildArgs(Map<String, String> v) {
            buildArgs.putAll(v);
            return this;
        }
        /** A build arg whose value is never logged nor recorded. */
        public Builder secretBuildArg(String name, String value) {
            buildArgs.put(name, value);
            secretBuildArgNames.add(name);
            return this;
        }

        public Builder secretBuildArgNames(Collection<String> v) {
            secretBuildArgNames.addAll(v);
            return this;
        }

        public Builder target(String v) {
            this.target = v;
            return this;
        }

        public Builder label(String k, String v) {
            labels.put(k, v);
            return this;
        }

        public Builder labels(Map<String, String> v) {
            labels.putAll(v);
            return this;
        }

        public Builder pull(boolean v) {
            this.pull = v;
            return this;
        }

        public Builder noCache(boolean v) {
            this.noCache = v;
            return this;
        }

        public Builder allowEmulation(boolean v) {
            this.allowEmulation = v;
            return this;
        }

        public Builder image(ImageReference v) {
            this.image = v;
            return this;
        }

        public Builder image(String v) {
            this.image = ImageReference.parse(v);
            return this;
        }

        public Builder tag(String v) {
            tags.add(v);
            return this;
        }

        public Builder tags(Collection<String> v) {
            tags.addAll(v);
            return this;
        }

        public Builder naming(Naming v) {
            this.naming = v;
            return this;
        }

        public Builder sourceRevision(String v) {
            this.sourceRevision = v;
            return this;
        }

        public Builder sourceUrl(String v) {
            this.sourceUrl = v;
            return this;
        }

        public Builder agentName(String v) {
            this.agentName = v;
            return this;
        }

        public Builder workspace(Path v) {
            this.workspace = v;
            return this;
        }

        /** The image's creation time, as {@code SOURCE_DATE_EPOCH} (seconds since 1970) gives it; null or blank: none. */
        public Builder sourceDateEpoch(String v) {
            this.sourceDateEpoch = CreationTime.parseSourceDateEpoch(v);
            return this;
        }

        /** The per-platform build cache; null: none. */
        public Builder cache(BuildCache v) {
            this.cache = v;
            return this;
        }

        /** Whether build lines start with {@code [platform] } (default true). */
        public Builder platformPrefix(boolean v) {
            this.platformPrefix = v;
            return this;
        }

        /** Whether and how to attach provenance; null or never called: none ({@link ProvenanceOptions#off()}). */
        public Builder provenance(ProvenanceOptions v) {
            this.provenance = v;
            return this;
        }

        public BuildRequest build() {
            return new BuildRequest(
                    context,
                    dockerfile,
                    platform,
                    buildArgs,
                    secretBuildArgNames,
                    target,
                    labels,
                    pull,
                    noCache,
                    allowEmulation,
                    image,
                    tags,
                    naming,
                    sourceRevision,
                    sourceUrl,
                    agentName,
                    workspace,
                    sourceDateEpoch,
                    cache,
                    platformPrefix,
                    provenance);
        }
    }
}
