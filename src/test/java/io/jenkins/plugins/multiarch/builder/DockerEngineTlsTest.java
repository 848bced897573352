package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * DOCKER_HOST tcp:// with TLS client certificates: a second real dockerd listening on 127.0.0.1 with
 * --tlsverify, our builder talking to it with a cert folder (ca.pem, cert.pem, key.pem), and refused
 * with certificates of another CA.
 */
class DockerEngineTlsTest {

    @TempDir
    static Path dir;

    static Process dockerd;
    static int port;

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.DOCKERD, Component.OPENSSL);

    @BeforeAll
    static void startTlsDockerd() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("client"));
        Path server = Files.createDirectories(dir.resolve("server"));
        makeCa(certs, server);
        Path other = Files.createDirectories(dir.resolve("other"));
        makeCa(other, Files.createDirectories(dir.resolve("other-server")));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path d = Files.createDirectories(dir.resolve("d"));
        dockerd = new ProcessBuilder(
                        "dockerd",
                        "--iptables=false",
                        "--ip6tables=false",
                        "--bridge=none",
                        "--storage-driver=vfs",
                        "--data-root",
                        d.resolve("root").toString(),
                        "--exec-root",
                        d.resolve("exec").toString(),
                        "--pidfile",
                        d.resolve("pid").toString(),
                        "-H",
                        "tcp://127.0.0.1:" + port,
                        "--tlsverify",
                        "--tlscacert",
                        server.resolve("ca.pem").toString(),
                        "--tlscert",
                        server.resolve("cert.pem").toString(),
                        "--tlskey",
                        server.resolve("key.pem").toString())
                .redirectErrorStream(true)
                .redirectOutput(d.resolve("log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!listening(port)) {
            if (System.nanoTime() > deadline || !dockerd.isAlive()) {
                throw new IllegalStateException("the TLS dockerd did not start: " + Files.readString(d.resolve("log")));
            }
            Thread.sleep(100);
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (dockerd != null) {
            dockerd.destroy();
            dockerd.waitFor();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /** A CA, a server certificate for 127.0.0.1 (in {@code server}) and a client certificate (in {@code client}). */
    private static void makeCa(Path client, Path server) throws IOException {
        Path ca = server.resolve("ca.pem");
        Path caKey = server.resolve("ca-key.pem");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=test-ca",
                "-keyout",
                caKey.toString(),
                "-out",
                ca.toString());
        Files.writeString(server.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(server.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        for (String who : List.of("server", "client")) {
            Path out = who.equals("server") ? server : client;
            openssl(
                    "req",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-subj",
                    "/CN=" + (who.equals("server") ? "127.0.0.1" : "client"),
                    "-keyout",
                    out.resolve("key.pem").toString(),
                    "-out",
                    out.resolve("req.csr").toString());
            openssl(
                    "x509",
                    "-req",
                    "-in",
                    out.resolve("req.csr").toString(),
                    "-CA",
                    ca.toString(),
                    "-CAkey",
                    caKey.toString(),
                    "-CAcreateserial",
                    "-days",
                    "2",
                    "-extfile",
                    server.resolve(who + ".ext").toString(),
                    "-out",
                    out.resolve("cert.pem").toString());
        }
        Files.copy(ca, client.resolve("ca.pem"));
    }

    private static void openssl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Exec.run(cmd, Duration.ofSeconds(30)).orThrow();
    }

    @Test
    void buildsAndPushesThroughATlsEngine() throws IOException {
        Path ctx = BuildFixtures.context(dir.resolve("ctx"), "FROM scratch\nCOPY Dockerfile /\n");
        try (DockerEngineBuilder tls = DockerEngineBuilder.builder()
                .dockerHost("tcp://127.0.0.1:" + port)
                .tlsVerify(true)
                .tlsCertPath(dir.resolve("client"))
                .registryClient(BuildFixtures.client(registry.get(), CredentialsSource.none()))
                .build()) {
            assertThat(tls.hostPlatform().matches(Platform.fromUname(System.getProperty("os.arch"))))
                    .isTrue();
            ArchImageRecord r = tls.build(
                    BuildRequest.builder()
                            .context(ctx)
                            .platform(tls.hostPlatform())
                            .image(registry.get().hostPort() + "/tls/app")
                            .tag("1")
                            .build(),
                    new BuildFixtures.CapturingListener());
            assertThat(r.platform().matches(tls.hostPlatform())).isTrue();
            assertThat(r.builderVersion()).startsWith("20.");
        }
    }

    @Test
    void certificatesOfAnotherCaAreRefused() {
        try (DockerEngineBuilder wrong = DockerEngineBuilder.builder()
                .dockerHost("tcp://127.0.0.1:" + port)
                .tlsVerify(true)
                .tlsCertPath(dir.resolve("other"))
                .registryClient(BuildFixtures.client(registry.get(), CredentialsSource.none()))
                .build()) {
            assertThatThrownBy(wrong::version)
                    .isInstanceOf(BuildException.class)
                    .hasMessageContaining("cannot reach the Docker Engine at tcp://127.0.0.1:" + port);
        }
    }
}
