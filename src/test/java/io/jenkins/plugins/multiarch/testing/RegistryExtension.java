package io.jenkins.plugins.multiarch.testing;

import io.jenkins.plugins.multiarch.testing.Components.Component;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real registry for a test class: it checks the components the class needs ({@link Components#require}: a
 * failure under CI, a skip with the reason elsewhere), starts the registry before the class's {@code @BeforeAll}
 * methods and stops it after its {@code @AfterAll} methods, also when a test or a {@code @BeforeAll} method fails.
 * Register it on a static field, one field per registry:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final RegistryExtension&lt;RegistryServer&gt; registry =
 *         RegistryExtension.plain().requiring(Component.BUILDAH);
 *
 * &#64;Test
 * void pushes() {
 *     registry.images().pushImage("demo/app", "1", "linux/amd64", TestImages.Format.OCI);
 *     ... registry.get().hostPort() ...
 * }
 * </pre>
 *
 * Modes: {@link #plain()}, {@link #tls()}, {@link #basicAuth}, {@link #tlsBasicAuth}, {@link #tokenAuth} (the
 * extension owns the token issuer too), {@link #of} for any other {@link RegistryServer.Builder}, and
 * {@link #starting} for a {@link TestRegistry} that may be a container ({@link TestRegistry#basicAuth}: the
 * JenkinsRule tests). The registry is per class, like the {@code @BeforeAll} fields it replaces: tests share it,
 * so they use their own repositories.
 *
 * <p>Stopping is done in {@link #afterAll} rather than through a closeable value in the
 * {@link ExtensionContext.Store}: {@code Store.CloseableResource} is deprecated since JUnit 5.13, the plugin build
 * runs JUnit 6 and the CLI build JUnit 5.14, and the callbacks compile and behave the same under both.
 */
public final class RegistryExtension<R extends TestRegistry> implements BeforeAllCallback, AfterAllCallback {

    /** Starts the registry; its argument is the token issuer in token mode, else null. */
    private final Function<TokenIssuer, R> starter;

    private final Supplier<TokenIssuer> issuerStarter;
    private final Set<Component> required;
    private volatile R registry;
    private volatile TokenIssuer issuer;
    private volatile TestImages images;
    private volatile String startedFor;

    private RegistryExtension(
            Function<TokenIssuer, R> starter, Supplier<TokenIssuer> issuerStarter, Set<Component> required) {
        this.starter = starter;
        this.issuerStarter = issuerStarter;
        this.required = required;
    }

    /** A plain-HTTP {@code docker-registry} without auth. */
    public static RegistryExtension<RegistryServer> plain() {
        return of(RegistryServer.builder());
    }

    /** HTTPS with a fresh test CA ({@link RegistryServer#caFile()}), without auth. */
    public static RegistryExtension<RegistryServer> tls() {
        return of(RegistryServer.builder().tls());
    }

    /** Plain HTTP with htpasswd basic auth for one user. */
    public static RegistryExtension<RegistryServer> basicAuth(String user, String password) {
        return of(RegistryServer.builder().basicAuth(user, password));
    }

    /** HTTPS with a fresh test CA and htpasswd basic auth for one user. */
    public static RegistryExtension<RegistryServer> tlsBasicAuth(String user, String password) {
        return of(RegistryServer.builder().tls().basicAuth(user, password));
    }

    /** A {@code docker-registry} started from these options (storage, port, ...) before the class's tests. */
    public static RegistryExtension<RegistryServer> of(RegistryServer.Builder options) {
        return new RegistryExtension<>(noIssuer -> options.start(), null, EnumSet.of(Component.REGISTRY));
    }

    /**
     * Token auth: {@code issuer} is called before the class's tests (e.g. {@code () -> new TokenIssuer("u",
     * "p").addPullOnlyUser("reader", "pw")}), the registry trusts the issuer it returns, and both are stopped
     * after the class ({@link #issuer()}, {@link RegistryServer#tokenIssuer()}).
     */
    public static RegistryExtension<RegistryServer> tokenAuth(Supplier<TokenIssuer> issuer) {
        return new RegistryExtension<>(
                i -> RegistryServer.builder().tokenAuth(i).start(), issuer, EnumSet.of(Component.REGISTRY));
    }

    /**
     * Any registry {@code starter} returns, started before the class's tests and closed after them; no component
     * is required beyond what {@code starter} checks itself (e.g. {@code () -> TestRegistry.basicAuth(user,
     * password)}: the binary, else a container).
     */
    public static <T extends TestRegistry> RegistryExtension<T> starting(Supplier<T> starter) {
        return new RegistryExtension<>(noIssuer -> starter.get(), null, EnumSet.noneOf(Component.class));
    }

    /** Also requires these components (checked together, before the registry starts). */
    public RegistryExtension<R> requiring(Component... components) {
        Set<Component> all = EnumSet.noneOf(Component.class);
        all.addAll(required);
        all.addAll(List.of(components));
        return new RegistryExtension<>(starter, issuerStarter, all);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (registry != null || startedFor != null) {
            return; // a @Nested class inherits the extension: it shares its outer class's registry
        }
        startedFor = context.getUniqueId();
        if (!required.isEmpty()) {
            Components.require(required.toArray(Component[]::new));
        }
        if (issuerStarter != null) {
            issuer = issuerStarter.get();
        }
        registry = starter.apply(issuer);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!context.getUniqueId().equals(startedFor)) {
            return; // a @Nested class ends before its outer class, which still uses the registry
        }
        try {
            close();
        } finally {
            startedFor = null;
        }
    }

    private synchronized void close() {
        R r = registry;
        TokenIssuer i = issuer;
        registry = null;
        issuer = null;
        images = null;
        try {
            if (r != null) {
                r.close();
            }
        } finally {
            if (i != null) {
                i.close(); // after the registry, which sends clients to it until it stops
            }
        }
    }

    /** The running registry: from {@code @BeforeAll}, {@code @BeforeEach} and test methods of the class. */
    public R get() {
        R r = registry;
        if (r == null) {
            throw new IllegalStateException("no registry is running: register the RegistryExtension on a static"
                    + " field (@RegisterExtension static final ...) and use it from @BeforeAll, @BeforeEach or a"
                    + " test; it starts before the class's tests and stops after them");
        }
        return r;
    }

    /** One {@link TestImages} writer for the registry (its credentials and CA), shared by the class's tests. */
    public synchronized TestImages images() {
        if (images == null) {
            if (!(get() instanceof RegistryServer server)) {
                throw new IllegalStateException(
                        "TestImages writes to a RegistryServer; " + get() + " is not one: use TestImages.at(...)");
            }
            images = TestImages.forRegistry(server);
        }
        return images;
    }

    /** The token issuer of {@link #tokenAuth}. */
    public TokenIssuer issuer() {
        get();
        TokenIssuer i = issuer;
        if (i == null) {
            throw new IllegalStateException(
                    registry + " has no token issuer: start it with RegistryExtension.tokenAuth");
        }
        return i;
    }

    @Override
    public String toString() {
        R r = registry;
        return "RegistryExtension[" + (r != null ? r : "not running") + "]";
    }
}
