package io.jenkins.plugins.multiarch.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Test helper: the "storage" origin a registry redirects blob downloads to (as S3 or a CDN would). It serves
 * the bytes it was given by digest and records the request headers it received, so a test can check that
 * no Authorization reached it.
 */
final class BlobOrigin implements AutoCloseable {

    record Received(String path, String query, Map<String, List<String>> headers) {
        boolean hasAuthorization() {
            return headers.keySet().stream().anyMatch(k -> k.equalsIgnoreCase("Authorization"));
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "blob-origin");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    BlobOrigin() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    BlobOrigin serve(String digest, byte[] content) {
        blobs.put(digest, content);
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            received.add(new Received(
                    ex.getRequestURI().getRawPath(),
                    ex.getRequestURI().getRawQuery(),
                    Map.copyOf(ex.getRequestHeaders())));
            String path = ex.getRequestURI().getPath();
            byte[] content = blobs.get(path.substring(path.lastIndexOf('/') + 1));
            if (content == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, content.length);
            ex.getResponseBody().write(content);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
