package io.jenkins.plugins.multiarch.provenance;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.Platform;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What multiarch knows about one platform's build, for its provenance statement. Nothing secret fits in it by
 * construction: build arguments are names only (a name cannot hold {@code =}), and a source repository URL with
 * user info, a query or a fragment (where tokens travel) is refused. Built with {@link #builder()}.
 *
 * @param builderId the SLSA {@code runDetails.builder.id}: the Jenkins build's absolute URL, or {@link #CLI_BUILDER_ID}
 *     from the command line
 * @param invocationId the SLSA {@code runDetails.metadata.invocationId}: one value for every platform of one build (the
 *     Jenkins build's URL or externalizable id; from the CLI, {@link #newInvocationId()} once per run)
 * @param agentName the Jenkins agent (or, from the CLI, the host) that built, or null
 * @param nodeLabel the label expression the agent was chosen by, or null
 * @param emulated whether the build ran under emulation (the agent's own architecture is another)
 * @param sourceRepository the repository URL the context was checked out from, or null; without user info
 * @param sourceRevision the checked-out revision (a git commit), or null
 * @param builderKind {@code docker} or {@code buildah}
 * @param builderVersion the Docker Engine's or buildah's version, or null when it could not be read
 * @param multiarchVersion this tool's version, or null
 * @param buildArgNames the names of the build arguments given, sorted, each once; never their values
 * @param baseImage the base image as the build resolved it (the {@code org.opencontainers.image.base.name}), or null
 * @param baseImageDigest the base image's digest ({@code org.opencontainers.image.base.digest}), or null
 * @param dockerfile the Dockerfile's path relative to the context, e.g. {@code Dockerfile}
 * @param dockerfileDigest the sha256 of the Dockerfile's bytes, or null (written in {@link ProvenanceMode#MAX} only)
 * @param platform the platform built (as confirmed from the pushed image's config)
 * @param startedOn when the build started
 * @param finishedOn when the push was confirmed
 */
public record BuildFacts(
        String builderId,
        String invocationId,
        String agentName,
        String nodeLabel,
        boolean emulated,
        String sourceRepository,
        String sourceRevision,
        String builderKind,
        String builderVersion,
        String multiarchVersion,
        List<String> buildArgNames,
        String baseImage,
        Digest baseImageDigest,
        String dockerfile,
        Digest dockerfileDigest,
        Platform platform,
        Instant startedOn,
        Instant finishedOn) {

    /**
     * The builder id of builds run by the {@code multiarch} command line, where there is no CI build whose URL would
     * name the builder: the section of docs/provenance.md that describes it. The host goes into {@code agentName}.
     */
    public static final String CLI_BUILDER_ID =
            "https://github.com/jenkinsci/multiarch-images-plugin/blob/main/docs/provenance.md#multiarch-cli";

    /** The name rule of {@code BuildRequest}: a name, never {@code NAME=value}. */
    private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private static final Pattern GIT_COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    public BuildFacts {
        builderId = absoluteUri("builderId", builderId);
        invocationId = required("invocationId", invocationId);
        agentName = blankToNull(agentName);
        nodeLabel = blankToNull(nodeLabel);
        sourceRepository = sourceRepository(blankToNull(sourceRepository));
        sourceRevision = blankToNull(sourceRevision);
        builderKind = required("builderKind", builderKind);
        builderVersion = blankToNull(builderVersion);
        multiarchVersion = blankToNull(multiarchVersion);
        buildArgNames = names(buildArgNames);
        baseImage = blankToNull(baseImage);
        dockerfile = required("dockerfile", dockerfile);
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(startedOn, "startedOn");
        Objects.requireNonNull(finishedOn, "finishedOn");
        if (finishedOn.isBefore(startedOn)) {
            throw new InvalidInputException("provenance: the build finished (" + finishedOn + ") before it started ("
                    + startedOn + "); pass the start and end times of the same build");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A fresh invocation id for one CLI run (shared by its platforms). */
    public static String newInvocationId() {
        return UUID.randomUUID().toString();
    }

    /** The revision as an in-toto {@code gitCommit} digest value (lower-case hex), when it is one. */
    public Optional<String> gitCommit() {
        if (sourceRevision == null) {
            return Optional.empty();
        }
        String r = sourceRevision.toLowerCase(Locale.ROOT);
        return GIT_COMMIT.matcher(r).matches() ? Optional.of(r) : Optional.empty();
    }

    /** Fluent construction; {@link #build()} checks as the record does. */
    public static final class Builder {
        private String builderId;
        private String invocationId;
        private String agentName;
        private String nodeLabel;
        private boolean emulated;
        private String sourceRepository;
        private String sourceRevision;
        private String builderKind;
        private String builderVersion;
        private String multiarchVersion;
        private List<String> buildArgNames = List.of();
        private String baseImage;
        private Digest baseImageDigest;
        private String dockerfile = "Dockerfile";
        private Digest dockerfileDigest;
        private Platform platform;
        private Instant startedOn;
        private Instant finishedOn;

        private Builder() {}

        public Builder builderId(String value) {
            builderId = value;
            return this;
        }

        public Builder invocationId(String value) {
            invocationId = value;
            return this;
        }

        public Builder agentName(String value) {
            agentName = value;
            return this;
        }

        public Builder nodeLabel(String value) {
            nodeLabel = value;
            return this;
        }

        public Builder emulated(boolean value) {
            emulated = value;
            return this;
        }

        public Builder source(String repository, String revision) {
            sourceRepository = repository;
            sourceRevision = revision;
            return this;
        }

        public Builder builder(String kind, String version) {
            builderKind = kind;
            builderVersion = version;
            return this;
        }

        public Builder multiarchVersion(String value) {
            multiarchVersion = value;
            return this;
        }

        /** Names only: pass {@code buildArgs.keySet()}, never the map's values. */
        public Builder buildArgNames(Collection<String> names) {
            buildArgNames = names == null ? List.of() : List.copyOf(names);
            return this;
        }

        public Builder baseImage(String name, Digest digest) {
            baseImage = name;
            baseImageDigest = digest;
            return this;
        }

        public Builder dockerfile(String path, Digest digest) {
            dockerfile = path;
            dockerfileDigest = digest;
            return this;
        }

        public Builder platform(Platform value) {
            platform = value;
            return this;
        }

        public Builder times(Instant started, Instant finished) {
            startedOn = started;
            finishedOn = finished;
            return this;
        }

        public BuildFacts build() {
            return new BuildFacts(
                    builderId,
                    invocationId,
                    agentName,
                    nodeLabel,
                    emulated,
                    sourceRepository,
                    sourceRevision,
                    builderKind,
                    builderVersion,
                    multiarchVersion,
                    buildArgNames,
                    baseImage,
                    baseImageDigest,
                    dockerfile,
                    dockerfileDigest,
                    platform,
                    startedOn,
                    finishedOn);
        }
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException("provenance: " + field + " is required and was not given");
        }
        return value.strip();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String absoluteUri(String field, String value) {
        String v = required(field, value);
        try {
            URI uri = new URI(v);
            if (!uri.isAbsolute()) {
                throw new InvalidInputException("provenance: " + field + " '" + v
                        + "' is not an absolute URI; give the build's URL (e.g. Jenkins' build URL) or "
                        + CLI_BUILDER_ID);
            }
            if (uri.getRawUserInfo() != null) {
                throw new InvalidInputException(
                        "provenance: " + field + " carries user info; give the build's URL without credentials");
            }
        } catch (URISyntaxException e) {
            throw new InvalidInputException("provenance: " + field + " '" + v + "' is not a URI: " + e.getReason(), e);
        }
        return v;
    }

    /** The repository URL as the statement may show it: no user info, query or fragment, where tokens travel. */
    private static String sourceRepository(String url) {
        if (url == null) {
            return null;
        }
        int scheme = url.indexOf("://");
        String rest = scheme > 0 ? url.substring(scheme + 3) : url;
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        if (authority.indexOf('@') >= 0 || url.indexOf('?') >= 0 || url.indexOf('#') >= 0) {
            // the value is not echoed: it may hold a token
            throw new InvalidInputException("provenance: the source repository URL has user info, a query or a"
                    + " fragment, where credentials travel; pass it as the org.opencontainers.image.source label is"
                    + " written (SourceUrl.forLabel), e.g. https://github.com/org/repo.git");
        }
        return url;
    }

    private static List<String> names(List<String> names) {
        if (names == null || names.isEmpty()) {
            return List.of();
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (String n : names) {
            if (n == null || !ARG_NAME.matcher(n).matches()) {
                // never echo it: a NAME=value mistake would print the value
                throw new InvalidInputException("provenance: a build-arg name is not a name ([A-Za-z_][A-Za-z0-9_]*);"
                        + " pass the names of the build arguments only, never NAME=value");
            }
            sorted.add(n);
        }
        return List.copyOf(sorted);
    }
}
