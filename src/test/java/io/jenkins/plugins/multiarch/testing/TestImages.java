package io.jenkins.plugins.multiarch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * Makes REAL small images in a registry without the project's registry client (raw java.net.http), so tests of that
 * client are judged by an independent writer: a random gzip layer, a config with the given platform, a Docker v2 or
 * OCI manifest; indexes of given children (image manifests, indexes, attestation entries). Handles anonymous, basic
 * and (minimal) token auth, so it works against every {@link RegistryServer} mode and through a {@link FaultProxy}.
 */
public final class TestImages {

    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String IN_TOTO = "application/vnd.in-toto+json";

    /** Manifest flavour: Docker v2 (schema 2 / manifest list) or OCI (manifest / index). */
    public enum Format {
        DOCKER,
        OCI
    }

    /**
     * A manifest now in the registry. {@code platform} is "os/arch[/variant]" for an image, null for an index,
     * "unknown/unknown" for an attestation manifest.
     */
    public record Pushed(
            String repository,
            String tag,
            String digest,
            long size,
            String mediaType,
            byte[] manifest,
            String platform) {
        public boolean isIndex() {
            return DOCKER_LIST.equals(mediaType) || OCI_INDEX.equals(mediaType);
        }

        /** "repository@digest" (prefix it with the registry's host:port). */
        public String byDigest() {
            return repository + "@" + digest;
        }

        /** "repository:tag" (prefix it with the registry's host:port). */
        public String byTag() {
            return repository + ":" + tag;
        }
    }

    /** One entry of an index: a descriptor, with platform (may be null) and annotations. */
    public record IndexEntry(
            String mediaType, String digest, long size, String platform, Map<String, String> annotations) {}

    /** A manifest read back: its bytes, Content-Type and Docker-Content-Digest header (may be null). */
    public record Fetched(int status, String mediaType, byte[] body, String digestHeader) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final URI base;
    private final HttpClient http;
    private final String user;
    private final String password;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String basicHeader;

    private TestImages(URI base, SSLContext ssl, String user, String password) {
        this.base = base;
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5));
        if (ssl != null) {
            b.sslContext(ssl);
        }
        this.http = b.build();
        this.user = user;
        this.password = password;
    }

    /** A writer for {@code registry} with its credentials (if any) and CA (if TLS). */
    public static TestImages forRegistry(RegistryServer registry) {
        return new TestImages(
                registry.baseUri(),
                registry.isTls() ? registry.sslContext() : null,
                registry.username(),
                registry.password());
    }

    /** A writer for any registry base URI (e.g. a {@link FaultProxy}); {@code ssl}, user and password may be null. */
    public static TestImages at(URI base, SSLContext ssl, String user, String password) {
        return new TestImages(base, ssl, user, password);
    }

    /** Requests this writer sent (token requests included). */
    public int requestCount() {
        return requests.get();
    }

    // ---- images -------------------------------------------------------------------------------------------------

    /** Pushes a fresh image (random layer) for {@code platform} ("linux/arm64/v8") as {@code repo:tag}. */
    public Pushed pushImage(String repo, String tag, String platform, Format format) {
        byte[] tar = new Tar()
                .directory("etc", 0755)
                .file("etc/test-platform", 0644, (platform + "\n").getBytes(StandardCharsets.UTF_8))
                .file("random.bin", 0644, randomBytes(256))
                .toBytes();
        return pushImage(repo, tag, platform, format, List.of(tar), Map.of());
    }

    /**
     * Pushes an image made of these uncompressed layer tars (gzipped here), with a config for {@code platform} and the
     * extra config fields in {@code containerConfig} (e.g. Cmd, Env). {@code tag} may be null (push by digest).
     */
    public Pushed pushImage(
            String repo,
            String tag,
            String platform,
            Format format,
            List<byte[]> layerTars,
            Map<String, Object> containerConfig) {
        String[] p = splitPlatform(platform);
        List<Map<String, Object>> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (byte[] tar : layerTars) {
            byte[] gz = Tar.gzip(tar);
            diffIds.add(sha256(tar));
            layers.add(descriptor(format == Format.OCI ? OCI_LAYER : DOCKER_LAYER, pushBlob(repo, gz), gz.length));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", p[1]);
        config.put("os", p[0]);
        if (p[2] != null) {
            config.put("variant", p[2]);
        }
        config.put("created", "2026-01-01T00:00:00Z");
        config.put("config", containerConfig);
        config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
        byte[] configBytes = json(config);
        String configType = format == Format.OCI ? OCI_CONFIG : DOCKER_CONFIG;
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        String mediaType = format == Format.OCI ? OCI_MANIFEST : DOCKER_MANIFEST;
        manifest.put("mediaType", mediaType);
        manifest.put("config", descriptor(configType, pushBlob(repo, configBytes), configBytes.length));
        manifest.put("layers", layers);
        Pushed pushed = pushManifest(repo, tag, mediaType, json(manifest));
        return new Pushed(repo, tag, pushed.digest(), pushed.size(), mediaType, pushed.manifest(), platform);
    }

    /** The index entry for a pushed child: its platform for an image, none for an index. */
    public static IndexEntry entry(Pushed child) {
        return new IndexEntry(
                child.mediaType(), child.digest(), child.size(), child.isIndex() ? null : child.platform(), Map.of());
    }

    /**
     * Pushes a BuildKit-style attestation manifest for {@code subject} into {@code repo} and returns its index entry:
     * platform unknown/unknown, annotations {@code vnd.docker.reference.digest} and {@code vnd.docker.reference.type}.
     */
    public IndexEntry attestationFor(String repo, Pushed subject) {
        byte[] statement = json(Map.of(
                "_type",
                "https://in-toto.io/Statement/v0.1",
                "predicateType",
                "https://spdx.dev/Document",
                "subject",
                List.of(Map.of(
                        "name",
                        "test",
                        "digest",
                        Map.of("sha256", subject.digest().substring(7)))),
                "predicate",
                Map.of("nonce", HexFormat.of().formatHex(randomBytes(8)))));
        Map<String, Object> layer = descriptor(IN_TOTO, pushBlob(repo, statement), statement.length);
        layer.put("annotations", Map.of("in-toto.io/predicate-type", "https://spdx.dev/Document"));
        byte[] config = json(Map.of(
                "architecture",
                "unknown",
                "os",
                "unknown",
                "config",
                Map.of(),
                "rootfs",
                Map.of("type", "layers", "diff_ids", List.of(sha256(statement)))));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.put("config", descriptor(OCI_CONFIG, pushBlob(repo, config), config.length));
        manifest.put("layers", List.of(layer));
        Pushed att = pushManifest(repo, null, OCI_MANIFEST, json(manifest));
        Map<String, String> ann = new LinkedHashMap<>();
        ann.put("vnd.docker.reference.digest", subject.digest());
        ann.put("vnd.docker.reference.type", "attestation-manifest");
        return new IndexEntry(OCI_MANIFEST, att.digest(), att.size(), "unknown/unknown", ann);
    }

    /** Pushes an index (OCI index or Docker manifest list) of these entries as {@code repo:tag} (tag may be null). */
    public Pushed pushIndex(String repo, String tag, Format format, List<IndexEntry> entries) {
        return pushIndex(repo, tag, format, entries, Map.of());
    }

    public Pushed pushIndex(
            String repo, String tag, Format format, List<IndexEntry> entries, Map<String, String> annotations) {
        String mediaType = format == Format.OCI ? OCI_INDEX : DOCKER_LIST;
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", mediaType);
        List<Map<String, Object>> manifests = new ArrayList<>();
        for (IndexEntry e : entries) {
            Map<String, Object> d = descriptor(e.mediaType(), e.digest(), e.size());
            if (e.platform() != null) {
                String[] p = splitPlatform(e.platform());
                Map<String, Object> plat = new LinkedHashMap<>();
                plat.put("architecture", p[1]);
                plat.put("os", p[0]);
                if (p[2] != null) {
                    plat.put("variant", p[2]);
                }
                d.put("platform", plat);
            }
            if (!e.annotations().isEmpty()) {
                d.put("annotations", e.annotations());
            }
            manifests.add(d);
        }
        index.put("manifests", manifests);
        if (!annotations.isEmpty() && format == Format.OCI) {
            index.put("annotations", annotations);
        }
        return pushManifest(repo, tag, mediaType, json(index));
    }

    // ---- raw operations -------------------------------------------------------------------------------------------

    /** Uploads a blob (POST + PUT, skipped when it exists) and returns its digest. */
    public String pushBlob(String repo, byte[] data) {
        String digest = sha256(data);
        HttpResponse<byte[]> head = send(repo, "HEAD", path(repo, "/blobs/" + digest), null, null, Map.of());
        if (head.statusCode() == 200) {
            return digest;
        }
        HttpResponse<byte[]> start = send(repo, "POST", path(repo, "/blobs/uploads/"), null, new byte[0], Map.of());
        expect(start, 202, "start blob upload in " + repo);
        String location = start.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("upload start without Location"));
        URI upload = base.resolve(location);
        String sep = upload.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(upload + sep + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));
        HttpResponse<byte[]> done = send(repo, "PUT", put, "application/octet-stream", data, Map.of());
        expect(done, 201, "finish blob upload " + digest + " in " + repo);
        return digest;
    }

    /** PUTs manifest bytes under {@code reference} (a tag, or null for by-digest) and checks the returned digest. */
    public Pushed pushManifest(String repo, String reference, String mediaType, byte[] bytes) {
        String digest = sha256(bytes);
        String ref = reference != null ? reference : digest;
        HttpResponse<byte[]> r = send(repo, "PUT", path(repo, "/manifests/" + ref), mediaType, bytes, Map.of());
        expect(r, 201, "PUT manifest " + repo + ":" + ref);
        String returned = r.headers().firstValue("Docker-Content-Digest").orElse(digest);
        if (!returned.equals(digest)) {
            throw new IllegalStateException("registry returned digest " + returned + " for manifest " + digest);
        }
        return new Pushed(repo, reference, digest, bytes.length, mediaType, bytes, null);
    }

    /** GET a manifest with a broad Accept list. */
    public Fetched getManifest(String repo, String reference) {
        HttpResponse<byte[]> r = send(
                repo,
                "GET",
                path(repo, "/manifests/" + reference),
                null,
                null,
                Map.of("Accept", String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST)));
        return new Fetched(
                r.statusCode(),
                r.headers().firstValue("Content-Type").orElse(null),
                r.body(),
                r.headers().firstValue("Docker-Content-Digest").orElse(null));
    }

    /** GET a blob (following the registry's redirect, if any, without credentials). */
    public byte[] getBlob(String repo, String digest) {
        HttpResponse<byte[]> r = send(repo, "GET", path(repo, "/blobs/" + digest), null, null, Map.of());
        if (r.statusCode() == 307 || r.statusCode() == 302) {
            URI to = base.resolve(r.headers().firstValue("Location").orElseThrow());
            try {
                r = http.send(HttpRequest.newBuilder(to).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException("cannot follow blob redirect", e);
            }
        }
        expect(r, 200, "GET blob " + digest);
        return r.body();
    }

    /** Deletes a manifest by digest (the registry runs with delete enabled). */
    public int deleteManifest(String repo, String digest) {
        return send(repo, "DELETE", path(repo, "/manifests/" + digest), null, null, Map.of())
                .statusCode();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    public static String sha256(byte[] data) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** "os/arch[/variant]" -> {os, arch, variant or null}. */
    static String[] splitPlatform(String platform) {
        String[] parts = platform.split("/");
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("platform must be os/arch[/variant]: " + platform);
        }
        return new String[] {parts[0], parts[1], parts.length == 3 ? parts[2] : null};
    }

    static byte[] json(Object o) {
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        return d;
    }

    private URI path(String repo, String rest) {
        return URI.create(base + "/v2/" + repo + rest);
    }

    private static void expect(HttpResponse<byte[]> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException(what + ": expected HTTP " + status + ", got " + r.statusCode() + " "
                    + new String(r.body() == null ? new byte[0] : r.body(), StandardCharsets.UTF_8));
        }
    }

    /** Sends once; on 401 authenticates from the challenge (basic or bearer) and sends once more. */
    private HttpResponse<byte[]> send(
            String repo, String method, URI uri, String contentType, byte[] body, Map<String, String> headers) {
        HttpResponse<byte[]> r = sendOnce(repo, method, uri, contentType, body, headers);
        if (r.statusCode() != 401) {
            return r;
        }
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
        if (user == null) {
            return r;
        }
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            basicHeader = "Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        } else if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            fetchToken(repo, challenge);
        } else {
            return r;
        }
        return sendOnce(repo, method, uri, contentType, body, headers);
    }

    private HttpResponse<byte[]> sendOnce(
            String repo, String method, URI uri, String contentType, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        String token = tokens.get(scope(repo));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        } else if (basicHeader != null) {
            b.header("Authorization", basicHeader);
        }
        try {
            requests.incrementAndGet();
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + uri + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String scope(String repo) {
        return "repository:" + repo + ":pull,push";
    }

    private void fetchToken(String repo, String challenge) {
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = Optional.ofNullable(params.get("realm"))
                .orElseThrow(() -> new IllegalStateException("no realm in " + challenge));
        String query = "service=" + URLEncoder.encode(params.getOrDefault("service", ""), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(scope(repo), StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(URI.create(realm + "?" + query))
                .timeout(Duration.ofSeconds(30))
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .GET()
                .build();
        try {
            requests.incrementAndGet();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            expect(r, 200, "token for " + scope(repo));
            JsonNode n = JSON.readTree(r.body());
            String token = n.hasNonNull("token")
                    ? n.get("token").asText()
                    : n.get("access_token").asText();
            tokens.put(scope(repo), token);
        } catch (IOException e) {
            throw new IllegalStateException("token request to " + realm + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
