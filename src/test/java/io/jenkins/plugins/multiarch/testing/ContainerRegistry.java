package io.jenkins.plugins.multiarch.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * Distribution's {@code registry:2} in a container, started with Testcontainers, for machines with a Docker
 * daemon but no {@code docker-registry} binary (ci.jenkins.io's Linux agents). Plain HTTP with htpasswd basic
 * auth, on a free port of 127.0.0.1 in the host's network: the Docker engine that the docker builder pushes
 * with, and the JVM, both reach it there (and it works where the engine has no bridge network, as ours).
 *
 * <p>{@code MULTIARCH_REGISTRY_IMAGE} names another image with the same entry point (our machines build
 * {@code multiarch-test/registry:2} from the Debian binary: scripts/test-services.sh), since nothing is
 * pulled here.
 */
public final class ContainerRegistry implements TestRegistry {

    static final String DEFAULT_IMAGE = "registry:2";
    private static final String CONFIG = "/etc/docker/registry/config.yml";

    private final GenericContainer<?> container;
    private final int port;
    private final String user;
    private volatile String password;

    private ContainerRegistry(GenericContainer<?> container, int port, String user, String password) {
        this.container = container;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** True when Testcontainers finds a Docker daemon (DOCKER_HOST, the default socket, ...). */
    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) { // no strategy found a daemon
            return false;
        }
    }

    public static String image() {
        String v = System.getenv("MULTIARCH_REGISTRY_IMAGE");
        return v == null || v.isBlank() ? DEFAULT_IMAGE : v;
    }

    public static ContainerRegistry start(String user, String password) {
        int port = RegistryServer.freePort();
        String config = String.join(
                "\n",
                "version: 0.1",
                "log: {level: info, formatter: text, accesslog: {disabled: false}}",
                "storage: {filesystem: {rootdirectory: /var/lib/registry}, delete: {enabled: true}}",
                "http: {addr: 127.0.0.1:" + port + ", secret: multiarch-test-secret}",
                "auth: {htpasswd: {realm: test, path: /auth/htpasswd}}",
                "");
        GenericContainer<?> c = new GenericContainer<>(
                        DockerImageName.parse(image()).asCompatibleSubstituteFor("registry"))
                .withNetworkMode("host")
                .withCopyToContainer(Transferable.of(config), CONFIG)
                .withCopyToContainer(Transferable.of(Htpasswd.line(user, password)), "/auth/htpasswd")
                // the official image's entry point turns a *.yml argument into "registry serve FILE"; ours is
                // "registry serve" itself
                .withCommand(CONFIG);
        c.start();
        ContainerRegistry r = new ContainerRegistry(c, port, user, password);
        try {
            r.awaitReady();
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    private void awaitReady() {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI v2 = URI.create("http://" + hostPort() + "/v2/");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!container.isRunning()) {
                throw new IllegalStateException("the registry container stopped during start-up:\n" + log());
            }
            try {
                int status = client.send(
                                HttpRequest.newBuilder(v2)
                                        .timeout(Duration.ofSeconds(2))
                                        .build(),
                                HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                if (status == 401 || status == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the registry container did not answer GET " + v2 + " within 30 s:\n" + log());
    }

    @Override
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String username() {
        return user;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public String log() {
        return container.getLogs();
    }

    @Override
    public List<RegistryServer.Request> accessLog() {
        return RegistryServer.Request.parseAll(log());
    }

    @Override
    public void changePassword(String newPassword) {
        container.copyFileToContainer(Transferable.of(Htpasswd.line(user, newPassword)), "/auth/htpasswd");
        // distribution reads htpasswd at start-up only; the host network keeps the port
        container
                .getDockerClient()
                .restartContainerCmd(container.getContainerId())
                .exec();
        password = newPassword;
        awaitReady();
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "ContainerRegistry[" + image() + " on " + hostPort() + "]";
    }
}
