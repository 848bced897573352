package io.jenkins.plugins.multiarch.testing;

import java.util.List;

/**
 * A real registry (distribution) that a test pushes to: the {@code docker-registry} process of
 * {@link RegistryServer} where that binary is installed, else {@code registry:2} in a container
 * ({@link ContainerRegistry}) where a Docker daemon runs, as on ci.jenkins.io's Linux agents.
 */
public interface TestRegistry extends AutoCloseable {

    /** "127.0.0.1:PORT": the registry part of image references. */
    String hostPort();

    int port();

    /** The basic-auth user, or null for an open registry. */
    String username();

    String password();

    /** Everything the registry printed so far (app log and access log). */
    String log();

    /** Every request of the access log so far, in order. */
    List<RegistryServer.Request> accessLog();

    /**
     * Rotates the basic-auth password: the registry restarts (same port, same storage) and from then on accepts
     * only the new one, so a client still holding the old one is refused with 401.
     */
    void changePassword(String newPassword);

    @Override
    void close();

    /**
     * A plain-HTTP registry on 127.0.0.1 with htpasswd basic auth for one user: the binary where it is on the PATH,
     * else a container where Docker answers, else the test is skipped with the reason (a failure under
     * {@code CI=true}, where the environment promises the components).
     */
    static TestRegistry basicAuth(String user, String password) {
        if (Components.isAvailable(Components.Component.REGISTRY)) {
            return RegistryServer.builder().basicAuth(user, password).start();
        }
        if (ContainerRegistry.dockerAvailable()) {
            return ContainerRegistry.start(user, password);
        }
        Components.unavailable("no registry to test with: docker-registry is not usable ("
                + Components.problem(Components.Component.REGISTRY).orElse("?")
                + ") and no Docker daemon answers at " + Components.dockerHost() + " to run registry:2");
        throw new IllegalStateException("unreachable: Components.unavailable stops the test");
    }
}
