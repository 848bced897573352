package io.jenkins.plugins.multiarch.image;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference {@code [host[:port]/]path[:tag][@digest]} following Docker's grammar
 * (github.com/distribution/reference) and its normalisation: no host, {@code docker.io} and
 * {@code index.docker.io} mean Docker Hub, served at {@code registry-1.docker.io}, where a single-component
 * name gets {@code library/}. {@link #toString()} gives the familiar form ({@code busybox},
 * {@code 127.0.0.1:5000/onap/py-app:1.0}); equality is on the normalised parts.
 */
public final class ImageReference {

    /** Where Docker Hub's registry API is served. */
    public static final String DOCKER_HUB_REGISTRY = "registry-1.docker.io";
    /** The maximum length of host + path, as in distribution/reference. */
    public static final int NAME_TOTAL_LENGTH_MAX = 255;
    /** The maximum length of a tag. */
    public static final int TAG_LENGTH_MAX = 128;

    private static final String DEFAULT_EXAMPLE = "registry.example.com:5000/team/app:1.0";
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern DOMAIN_NAME_COMPONENT =
            Pattern.compile("[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]");
    private static final Pattern IPV6 = Pattern.compile("\\[[a-fA-F0-9:]+\\]");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]*");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

    private final String registry;
    private final String repository;
    private final String tag;
    private final Digest digest;

    private ImageReference(String registry, String repository, String tag, Digest digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /** Parses a reference as {@code docker pull} accepts it. */
    public static ImageReference parse(String reference) {
        if (reference == null || reference.isEmpty()) {
            throw invalid(reference, "it is empty", DEFAULT_EXAMPLE);
        }
        for (int i = 0; i < reference.length(); i++) {
            char c = reference.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw invalid(
                        reference,
                        "it contains whitespace or a control character at position " + i,
                        "remove it: " + reference.strip().replaceAll("\\s+", ""));
            }
        }
        String rest = reference;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digestPart = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (digestPart.indexOf('@') >= 0) {
                throw invalid(reference, "it has more than one '@'", "repo@sha256:<64 hex>");
            }
            try {
                digest = Digest.parse(digestPart);
            } catch (InvalidInputException e) {
                throw invalid(
                        reference,
                        "the digest after '@' is not valid (" + e.getMessage() + ")",
                        "repo@sha256:<64 lowercase hex>");
            }
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        if (lastSlash < 0 && rest.startsWith("[")) {
            throw invalid(
                    reference, "the IPv6 registry address must be followed by /repository", "[::1]:5000/team/app:1.0");
        }
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            checkTag(reference, tag);
        }
        if (rest.isEmpty()) {
            throw invalid(reference, "the repository name is empty", DEFAULT_EXAMPLE);
        }
        String domain = null;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            // Docker's rule (splitDockerDomain): the first component is a host when it has a '.' or ':',
            // is 'localhost', or has an uppercase letter (path components cannot).
            if (first.indexOf('.') >= 0
                    || first.indexOf(':') >= 0
                    || first.equals("localhost")
                    || !first.toLowerCase(Locale.ROOT).equals(first)) {
                domain = first;
                path = rest.substring(slash + 1);
            }
        } else if (HEX64.matcher(rest).matches() && tag == null && digest == null) {
            throw invalid(
                    reference,
                    "a 64-character hexadecimal string is an image ID, not a repository name",
                    "use repo@sha256:" + rest);
        }
        if (domain != null) {
            checkDomain(reference, domain);
        }
        checkPath(reference, path);
        return build(reference, domain, path, tag, digest);
    }

    /**
     * A reference from its parts. {@code registry} null (or docker.io) means Docker Hub; {@code tag} and
     * {@code digest} may be null.
     */
    public static ImageReference of(String registry, String repository, String tag, Digest digest) {
        String input = (registry == null ? "" : registry + "/")
                + repository
                + (tag == null ? "" : ":" + tag)
                + (digest == null ? "" : "@" + digest);
        if (repository == null || repository.isEmpty()) {
            throw invalid(input, "the repository name is empty", DEFAULT_EXAMPLE);
        }
        if (registry != null) {
            checkDomain(input, registry);
        }
        checkPath(input, repository);
        if (tag != null) {
            checkTag(input, tag);
        }
        return build(input, registry, repository, tag, digest);
    }

    private static ImageReference build(String input, String domain, String path, String tag, Digest digest) {
        boolean hub = domain == null || isDockerHubHost(domain);
        String registry = hub ? DOCKER_HUB_REGISTRY : domain;
        String repository = hub && path.indexOf('/') < 0 ? "library/" + path : path;
        String fullName = (hub ? "docker.io" : registry) + "/" + repository;
        if (fullName.length() > NAME_TOTAL_LENGTH_MAX) {
            throw invalid(
                    input,
                    "the name (registry and repository) is " + fullName.length()
                            + " characters, more than the limit of " + NAME_TOTAL_LENGTH_MAX,
                    "use a shorter repository path");
        }
        return new ImageReference(registry, repository, tag, digest);
    }

    private static boolean isDockerHubHost(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        return d.equals("docker.io") || d.equals("index.docker.io") || d.equals(DOCKER_HUB_REGISTRY);
    }

    private static void checkTag(String input, String tag) {
        if (tag.isEmpty()) {
            throw invalid(input, "the tag after ':' is empty", "repo:1.0, or drop the ':'");
        }
        if (tag.length() > TAG_LENGTH_MAX) {
            throw invalid(
                    input,
                    "the tag is " + tag.length() + " characters, more than the limit of " + TAG_LENGTH_MAX,
                    "a shorter tag such as 1.0-" + "build42");
        }
        if (!TAG.matcher(tag).matches()) {
            throw invalid(
                    input,
                    "the tag '" + tag + "' may contain only letters, digits, '_', '.' and '-'"
                            + " and must not start with '.' or '-'",
                    "repo:1.0.3-rc1");
        }
    }

    private static void checkDomain(String input, String domain) {
        if (domain.isEmpty()) {
            throw invalid(input, "the registry host is empty", DEFAULT_EXAMPLE);
        }
        String host = domain;
        String port = null;
        if (domain.startsWith("[")) {
            int close = domain.indexOf(']');
            if (close < 0) {
                throw invalid(
                        input, "the IPv6 registry address '" + domain + "' has no closing ']'", "[::1]:5000/repo");
            }
            host = domain.substring(0, close + 1);
            String after = domain.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw invalid(
                            input,
                            "the IPv6 registry address '" + domain + "' must be followed by :port or '/'",
                            "[::1]:5000/repo");
                }
                port = after.substring(1);
            }
            if (!IPV6.matcher(host).matches()) {
                throw invalid(
                        input,
                        "the IPv6 registry address '" + host + "' may contain only hex digits and ':'",
                        "[::1]:5000/repo");
            }
        } else {
            int colon = domain.indexOf(':');
            if (colon >= 0) {
                host = domain.substring(0, colon);
                port = domain.substring(colon + 1);
            }
            if (host.isEmpty()) {
                throw invalid(
                        input, "the registry host before ':" + port + "' is empty", "localhost:" + port + "/repo");
            }
            for (String label : host.split("\\.", -1)) {
                if (!DOMAIN_NAME_COMPONENT.matcher(label).matches()) {
                    throw invalid(
                            input,
                            "the registry host '" + host + "' is not a valid host name (labels are"
                                    + " letters, digits and inner '-', separated by single dots; IPv6 needs [brackets])",
                            DEFAULT_EXAMPLE);
                }
            }
        }
        if (port != null) {
            boolean digits =
                    !port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9');
            if (!digits || Integer.parseInt(port) > 65535) {
                throw invalid(
                        input,
                        "the registry port '" + port + "' must be a number from 0 to 65535",
                        "localhost:5000/repo");
            }
        }
    }

    private static void checkPath(String input, String path) {
        if (path.isEmpty()) {
            throw invalid(input, "the repository path is empty", DEFAULT_EXAMPLE);
        }
        if (!path.toLowerCase(Locale.ROOT).equals(path)) {
            throw invalid(
                    input,
                    "the repository name '" + path + "' must be lowercase",
                    "'" + path.toLowerCase(Locale.ROOT) + "'");
        }
        for (String component : path.split("/", -1)) {
            if (component.isEmpty()) {
                throw invalid(
                        input,
                        "the repository path '" + path + "' has an empty component"
                                + " (a leading, trailing or double '/')",
                        "team/app");
            }
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw invalid(
                        input,
                        "the path component '" + component + "' must be lowercase letters and digits,"
                                + " separated by one '.', one or two '_' or any number of '-', and must start and end with a"
                                + " letter or digit",
                        "team/my-app_2");
            }
        }
    }

    private static InvalidInputException invalid(String input, String rule, String example) {
        return new InvalidInputException("invalid image reference '" + input + "': " + rule + ", e.g. " + example);
    }

    /**
     * A repository as an option names it ({@code --image}): a reference without tag or digest, since the tags
     * are given on their own ({@code --tag}) and a tag here would silently be published too.
     *
     * @param option how the input is named in the message, e.g. {@code --image}
     */
    public static ImageReference parseRepository(String option, String value) {
        ImageReference r = parse(value);
        if (r.tag().isPresent() || r.digest().isPresent()) {
            throw new InvalidInputException(option + " '" + value + "' has a "
                    + (r.digest().isPresent() ? "digest" : "tag") + ": give the repository alone ("
                    + r.withoutTagOrDigest() + ") and each tag with --tag");
        }
        return r;
    }

    /**
     * A registry written {@code host[:port]} as in image references ({@code 127.0.0.1:5000}, {@code [::1]:5000},
     * {@code registry.example}), as {@link #registry()} gives it for references to it: lower case, Docker Hub
     * as {@code registry-1.docker.io}. Refuses a scheme, a path, user info and a bare name that Docker would
     * read as a repository.
     */
    public static String parseRegistryHost(String hostPort) {
        String v = hostPort == null ? "" : hostPort.strip();
        String fix = ": give host[:port] as in image references, e.g. 127.0.0.1:5000 or registry.example";
        if (v.isEmpty()) {
            throw new InvalidInputException("a registry is empty" + fix);
        }
        if (v.contains("://")) {
            throw new InvalidInputException("registry '" + v + "' has a scheme" + fix
                    + " (naming a registry insecure is what allows plain HTTP)");
        }
        if (v.contains("/") || v.contains("@")) {
            throw new InvalidInputException("registry '" + v + "' has a path or user info" + fix);
        }
        if (v.indexOf('.') < 0
                && v.indexOf(':') < 0
                && !v.equals("localhost")
                && v.toLowerCase(Locale.ROOT).equals(v)) {
            throw new InvalidInputException("registry '" + v + "' has no '.' or ':' and is not localhost, so Docker "
                    + "reads it as a repository on Docker Hub" + fix);
        }
        try {
            checkDomain(v, v);
        } catch (InvalidInputException e) {
            String why = e.getMessage();
            int rule = why.indexOf("': ");
            throw new InvalidInputException(
                    "registry '" + v + "' is invalid: " + (rule < 0 ? why : why.substring(rule + 3)), e);
        }
        return parse(v + "/x").registry().toLowerCase(Locale.ROOT);
    }

    /** The registry host[:port], normalised: Docker Hub is {@code registry-1.docker.io}. */
    public String registry() {
        return registry;
    }

    /** The repository path within the registry, with {@code library/} for official Docker Hub images. */
    public String repository() {
        return repository;
    }

    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    public Optional<Digest> digest() {
        return Optional.ofNullable(digest);
    }

    /** This reference with this tag (its digest, if any, is kept). */
    public ImageReference withTag(String newTag) {
        if (newTag == null) {
            return new ImageReference(registry, repository, null, digest);
        }
        checkTag(repositoryString() + ":" + newTag, newTag);
        return new ImageReference(registry, repository, newTag, digest);
    }

    /** This reference with this digest (its tag, if any, is kept). */
    public ImageReference withDigest(Digest newDigest) {
        return new ImageReference(registry, repository, tag, newDigest);
    }

    /** The repository alone: no tag, no digest. */
    public ImageReference withoutTagOrDigest() {
        return new ImageReference(registry, repository, null, null);
    }

    /** Another repository on the same registry (no tag, no digest), e.g. to mount from. */
    public ImageReference withRepository(String newRepository) {
        String domain = isDockerHub() ? null : registry;
        return of(domain, newRepository, null, null);
    }

    /** What goes after {@code /manifests/} in the registry API: the digest, else the tag, else {@code latest}. */
    public String referenceForApi() {
        if (digest != null) {
            return digest.toString();
        }
        return tag != null ? tag : "latest";
    }

    /** True for Docker Hub. */
    public boolean isDockerHub() {
        return DOCKER_HUB_REGISTRY.equals(registry);
    }

    /** True when the reference pins content by digest. */
    public boolean hasDigest() {
        return digest != null;
    }

    /** The familiar repository name without tag or digest: {@code busybox}, {@code localhost:5000/team/app}. */
    public String repositoryString() {
        if (isDockerHub()) {
            return repository.startsWith("library/") && repository.indexOf('/', 8) < 0
                    ? repository.substring(8)
                    : repository;
        }
        return registry + "/" + repository;
    }

    /** The fully qualified name {@code host/repository}, with {@code docker.io} for Docker Hub as docker prints it. */
    public String canonicalName() {
        return (isDockerHub() ? "docker.io" : registry) + "/" + repository;
    }

    /** The same registry as another reference (host and port compared case-insensitively). */
    public boolean sameRegistry(ImageReference other) {
        return registry.equalsIgnoreCase(other.registry);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ImageReference)) {
            return false;
        }
        ImageReference that = (ImageReference) o;
        return registry.equalsIgnoreCase(that.registry)
                && repository.equals(that.repository)
                && Objects.equals(tag, that.tag)
                && Objects.equals(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry.toLowerCase(Locale.ROOT), repository, tag, digest);
    }

    /** The familiar form: {@code busybox}, {@code 127.0.0.1:5000/onap/py-app:1.0}, {@code repo:tag@sha256:...}. */
    @Override
    public String toString() {
        return repositoryString() + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
