package io.jenkins.plugins.multiarch.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the registry's own access log (combined log format, written by distribution 2.8) incrementally:
 * {@link #mark()} before a tool runs, {@link #since(long)} after it. Each line gives method, path, status
 * and the response body size, which is all the traffic accounting needs.
 */
final class AccessLog {

    /** One request as the registry logged it. {@code bytes} = response body bytes the registry sent. */
    record Entry(String method, String path, int status, long bytes, String agent, String protocol) {}

    private static final Pattern LINE =
            Pattern.compile("\"([A-Z]+) (\\S+) (HTTP/[0-9.]+)\" (\\d{3}) (\\d+|-)(?: \"[^\"]*\" \"([^\"]*)\")?");

    private final Path file;

    AccessLog(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no registry log at " + file);
        }
        this.file = file;
    }

    /** The current end of the log, once the registry has finished writing. */
    long mark() {
        return settle();
    }

    /** Requests logged after {@code offset}; waits until the registry stops writing (it logs after answering). */
    List<Entry> since(long offset) {
        long end = settle();
        byte[] bytes = new byte[(int) (end - offset)];
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(offset);
            raf.readFully(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Entry> out = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find()) {
                out.add(new Entry(
                        m.group(1),
                        m.group(2),
                        Integer.parseInt(m.group(4)),
                        m.group(5).equals("-") ? 0 : Long.parseLong(m.group(5)),
                        m.group(6),
                        m.group(3)));
            }
        }
        return out;
    }

    private long settle() {
        long size = -1;
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (true) {
            long now = file.toFile().length();
            if (now == size || System.nanoTime() > deadline) {
                return now;
            }
            size = now;
            sleep(35);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * What one publish cost, from the registry's side.
     *
     * @param requests every request the registry logged (token requests to a separate issuer are not logged)
     * @param responseBytes sum of response body sizes
     * @param unauthorized 401 answers (auth round trips)
     * @param layerBytesDown layer bytes the registry served (GET of a layer blob)
     * @param layerBytesUp layer bytes uploaded (an upload session completed with a layer's digest)
     * @param mounts cross-repository mounts that succeeded (POST ?mount= answered 201)
     * @param configGets image config blobs read
     * @param manifestPuts manifests and lists written
     * @param http2 requests that came over HTTP/2
     */
    record Traffic(
            int requests,
            long responseBytes,
            int unauthorized,
            long layerBytesDown,
            long layerBytesUp,
            int mounts,
            int configGets,
            int manifestPuts,
            int heads,
            String breakdown,
            int http2) {

        static Traffic of(List<Entry> entries, Map<String, Long> layerSizes, Set<String> configDigests) {
            long bytes = 0;
            int unauthorized = 0;
            long down = 0;
            long up = 0;
            int mounts = 0;
            int configs = 0;
            int puts = 0;
            int heads = 0;
            int http2 = 0;
            Map<String, Integer> kinds = new java.util.TreeMap<>();
            for (Entry e : entries) {
                bytes += e.bytes();
                if (e.status() == 401) {
                    unauthorized++;
                }
                String digest = blobDigest(e.path());
                String uploadDigest = uploadDigest(e.path());
                String kind;
                if (e.path().equals("/v2/") || e.path().equals("/v2")) {
                    kind = "ping";
                } else if (e.path().contains("/manifests/")) {
                    kind = "manifest";
                } else if (e.path().contains("/blobs/uploads")) {
                    kind = e.path().contains("mount=") ? "mount" : "upload";
                } else if (e.path().contains("/blobs/")) {
                    kind = digest != null && configDigests.contains(digest)
                            ? "config"
                            : digest != null && layerSizes.containsKey(digest) ? "layer" : "blob";
                } else {
                    kind = "other";
                }
                kinds.merge(e.method() + " " + kind, 1, Integer::sum);
                if (e.method().equals("HEAD")) {
                    heads++;
                }
                if (e.protocol().startsWith("HTTP/2")) {
                    http2++;
                }
                if (e.method().equals("GET") && e.status() == 200 && digest != null) {
                    if (layerSizes.containsKey(digest)) {
                        down += e.bytes();
                    } else if (configDigests.contains(digest)) {
                        configs++;
                    }
                }
                if (e.method().equals("PUT")
                        && uploadDigest != null
                        && (e.status() == 201 || e.status() == 204)
                        && layerSizes.containsKey(uploadDigest)) {
                    up += layerSizes.get(uploadDigest);
                }
                if (e.method().equals("POST") && e.path().contains("mount=") && e.status() == 201) {
                    mounts++;
                }
                if (e.method().equals("PUT") && e.path().contains("/manifests/") && e.status() == 201) {
                    puts++;
                }
            }
            StringBuilder b = new StringBuilder();
            kinds.forEach((k, v) ->
                    b.append(b.length() == 0 ? "" : ", ").append(v).append(' ').append(k));
            return new Traffic(
                    entries.size(), bytes, unauthorized, down, up, mounts, configs, puts, heads, b.toString(), http2);
        }

        /** {@code /v2/NAME/blobs/sha256:...} -> the digest; else null. */
        private static String blobDigest(String path) {
            int i = path.lastIndexOf("/blobs/");
            if (i < 0 || path.contains("/blobs/uploads")) {
                return null;
            }
            String d = path.substring(i + "/blobs/".length());
            int q = d.indexOf('?');
            return q >= 0 ? d.substring(0, q) : d;
        }

        /** The {@code digest=} query parameter of an upload URL, decoded; else null. */
        private static String uploadDigest(String path) {
            int q = path.indexOf('?');
            if (q < 0 || !path.contains("/blobs/uploads/")) {
                return null;
            }
            for (String param : path.substring(q + 1).split("&")) {
                if (param.startsWith("digest=")) {
                    return URLDecoder.decode(param.substring("digest=".length()), StandardCharsets.UTF_8);
                }
            }
            return null;
        }
    }
}
