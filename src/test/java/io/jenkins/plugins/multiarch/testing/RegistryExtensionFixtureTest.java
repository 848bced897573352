package io.jenkins.plugins.multiarch.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Proves {@link RegistryExtension} runs real registries for a class and stops them after it: the registries the
 * tests saw are checked once the class is over, by an extension registered before them (JUnit runs after-all
 * callbacks in reverse order of registration), and the lifecycle is driven by hand with JUnit's own contexts for
 * a start that fails and for a {@code @Nested} class sharing its outer class's registry.
 */
@ExtendWith({RegistryExtensionFixtureTest.StoppedAfterTheClass.class, RegistryExtensionFixtureTest.Contexts.class})
class RegistryExtensionFixtureTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry = RegistryExtension.plain();

    @RegisterExtension
    static final RegistryExtension<RegistryServer> token =
            RegistryExtension.tokenAuth(() -> new TokenIssuer("tokenuser", "token-pw"));

    /** What the tests of this class saw, checked after the class. */
    static final List<RegistryServer> seen = new CopyOnWriteArrayList<>();

    static final List<TokenIssuer> issuers = new CopyOnWriteArrayList<>();

    /** The plain registry as each test saw it. */
    static final List<RegistryServer> plainSeen = new CopyOnWriteArrayList<>();

    /** After RegistryExtension's own afterAll: every registry the tests used is stopped, every issuer closed. */
    static final class StoppedAfterTheClass implements AfterAllCallback {
        @Override
        public void afterAll(ExtensionContext context) {
            assertThat(seen).as("the tests ran against registries").isNotEmpty();
            for (RegistryServer r : seen) {
                assertThat(r.isRunning()).as(r + " stopped after the class").isFalse();
            }
            for (TokenIssuer i : issuers) {
                assertRefused(i.port());
            }
            assertThatThrownBy(registry::get)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no registry is running");
        }
    }

    /** JUnit's context of the test method, for tests that drive an extension's lifecycle themselves. */
    static final class Contexts implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == ExtensionContext.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context;
        }
    }

    private static int v2Status(RegistryServer r) throws Exception {
        HttpResponse<Void> response = r.httpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(r.baseUri() + "/v2/"))
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
        return response.statusCode();
    }

    private static void assertRefused(int port) {
        try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000))
                    .as("nothing listens on port " + port)
                    .isInstanceOf(ConnectException.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theClassRegistryAnswersAndItsWriterPushes() throws Exception {
        RegistryServer r = registry.get();
        seen.add(r);
        plainSeen.add(r);
        assertThat(r.isRunning()).isTrue();
        assertThat(v2Status(r)).isEqualTo(200);
        TestImages.Pushed pushed = registry.images().pushImage("ext/app", "1", "linux/amd64", TestImages.Format.OCI);
        assertThat(registry.images()).as("one writer per class").isSameAs(registry.images());
        assertThat(registry.images().getManifest("ext/app", pushed.digest()).status())
                .isEqualTo(200);
    }

    @Test
    void everyTestOfTheClassSharesTheRegistry() {
        seen.add(registry.get());
        plainSeen.add(registry.get());
        assertThat(plainSeen).allSatisfy(r -> assertThat(r).isSameAs(registry.get()));
    }

    @Test
    void tokenModeOwnsItsIssuerAndTheRegistrySendsClientsToIt() throws Exception {
        RegistryServer r = token.get();
        seen.add(r);
        issuers.add(token.issuer());
        assertThat(r.tokenIssuer()).isSameAs(token.issuer());
        assertThat(v2Status(r)).as("the registry asks for a token").isEqualTo(401);
        TestImages.Pushed pushed = token.images().pushImage("tok/app", "1", "linux/arm64", TestImages.Format.OCI);
        assertThat(token.issuer().requests())
                .as("the writer got its token from the issuer")
                .isNotEmpty();
        assertThat(token.images().getManifest("tok/app", pushed.digest()).status())
                .isEqualTo(200);
        assertThatThrownBy(registry::issuer)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no token issuer");
    }

    @Test
    void aRegistryThatCannotStartFailsTheClassAndLeavesNothingRunning(ExtensionContext context) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            RegistryExtension<RegistryServer> onATakenPort =
                    RegistryExtension.of(RegistryServer.builder().port(taken.getLocalPort()));
            assertThatThrownBy(() -> onATakenPort.beforeAll(context))
                    .as("docker-registry cannot listen where another socket does")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("docker-registry");
            assertThatThrownBy(onATakenPort::get).hasMessageContaining("no registry is running");
            onATakenPort.afterAll(context); // what JUnit calls next: nothing to stop, no second failure
            assertThatThrownBy(onATakenPort::get).hasMessageContaining("no registry is running");
        }
    }

    @Test
    void aNestedClassSharesItsOuterClassRegistryAndDoesNotStopIt(ExtensionContext method) throws Exception {
        ExtensionContext outer = method.getParent().orElseThrow(); // stands for the outer class
        AtomicReference<TokenIssuer> issuer = new AtomicReference<>();
        RegistryExtension<RegistryServer> ext = RegistryExtension.tokenAuth(() -> {
            issuer.set(new TokenIssuer());
            return issuer.get();
        });
        ext.beforeAll(outer);
        RegistryServer r = ext.get();
        try {
            ext.beforeAll(method); // a @Nested class inherits the static extension: no second registry
            assertThat(ext.get()).isSameAs(r);
            ext.afterAll(method); // the nested class ends first
            assertThat(r.isRunning()).as("still serving the outer class").isTrue();
            assertThat(v2Status(r)).isEqualTo(401);
        } finally {
            ext.afterAll(outer);
        }
        assertThat(r.isRunning()).as("stopped after the outer class").isFalse();
        assertRefused(issuer.get().port());
        assertThatThrownBy(ext::get).hasMessageContaining("no registry is running");
    }

    @Test
    void theRegistryIsNotThereBeforeTheClassStartsIt() {
        RegistryExtension<RegistryServer> notRegistered = RegistryExtension.tls();
        assertThatThrownBy(notRegistered::get)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("@RegisterExtension static final");
        assertThatThrownBy(notRegistered::images).isInstanceOf(IllegalStateException.class);
    }
}
