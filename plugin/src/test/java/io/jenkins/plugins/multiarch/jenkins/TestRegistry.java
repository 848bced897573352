package io.jenkins.plugins.multiarch.jenkins;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code docker-registry} (distribution 2.8) on 127.0.0.1, plain HTTP, htpasswd basic auth: the
 * recipe of shared/reference/test-environment.md. One per test class.
 */
final class TestRegistry implements AutoCloseable {

    final String user;
    final String password;
    final int port;
    private final Path dir;
    private final Process process;

    private TestRegistry(String user, String password, int port, Path dir, Process process) {
        this.user = user;
        this.password = password;
        this.port = port;
        this.dir = dir;
        this.process = process;
    }

    static TestRegistry start(String user, String password) throws Exception {
        Path dir = Files.createTempDirectory("multiarch-registry");
        Process h = new ProcessBuilder("htpasswd", "-Bbn", user, password)
                .redirectErrorStream(true)
                .start();
        String entry = new String(h.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (h.waitFor() != 0) {
            throw new IOException("htpasswd failed: " + entry);
        }
        Files.writeString(dir.resolve("htpasswd"), entry + "\n");
        int port = freePort();
        Files.writeString(
                dir.resolve("config.yml"),
                String.join(
                        "\n",
                        "version: 0.1",
                        "log: {level: warn}",
                        "storage: {filesystem: {rootdirectory: " + dir.resolve("data") + "}, delete: {enabled: true}}",
                        "http: {addr: 127.0.0.1:" + port + "}",
                        "auth: {htpasswd: {realm: test, path: " + dir.resolve("htpasswd") + "}}",
                        ""));
        Process p = new ProcessBuilder(
                        "docker-registry", "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        TestRegistry r = new TestRegistry(user, password, port, dir, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                HttpURLConnection c = (HttpURLConnection)
                        URI.create("http://127.0.0.1:" + port + "/v2/").toURL().openConnection();
                c.setConnectTimeout(500);
                int code = c.getResponseCode(); // 401: up, asking for credentials
                if (code == 401 || code == 200) {
                    return r;
                }
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        r.close();
        throw new IOException("docker-registry did not start on port " + port + ": see " + dir.resolve("registry.log"));
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
