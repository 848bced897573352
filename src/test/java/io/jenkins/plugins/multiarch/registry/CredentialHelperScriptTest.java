package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Docker credential helpers run for real: small {@code docker-credential-*} shell scripts on a PATH of the test's
 * own, each recording the server URL it got on standard input. Covers docker's precedence (credHelpers, then
 * credsStore, then auths), the answers (password, not found, {@code <token>}), and the failures (exit non-zero,
 * hanging, missing, not JSON), whose output must never show.
 */
class CredentialHelperScriptTest {

    private static final String HOST = "127.0.0.1:5999";
    private static final String OUT_SECRET = "out-s3cret-Zq81";
    private static final String ERR_SECRET = "err-s3cret-Wp27";

    @TempDir
    Path dir;

    private Path bin;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final LogListener listener = (level, message) -> log.add(level + " " + message);

    @BeforeEach
    void makeBin() throws Exception {
        bin = Files.createDirectories(dir.resolve("bin"));
    }

    /** A helper that answers {@code answer} (a shell fragment) after recording its stdin in calls-NAME. */
    private void helper(String name, String answer) throws Exception {
        Path script = bin.resolve("docker-credential-" + name);
        Files.writeString(
                script,
                "#!/bin/sh\n"
                        + "[ \"$1\" = get ] || { echo \"unexpected arguments: $*\"; exit 9; }\n"
                        + "url=$(cat)\n"
                        + "printf '%s\\n' \"$url\" >> '" + calls(name) + "'\n"
                        + answer + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void passwordHelper(String name, String user, String secret) throws Exception {
        helper(
                name,
                "printf '{\"ServerURL\":\"%s\",\"Username\":\"" + user + "\",\"Secret\":\"" + secret
                        + "\"}\\n' \"$url\"");
    }

    private Path calls(String name) {
        return dir.resolve("calls-" + name);
    }

    /** The server URLs helper NAME was asked for, in order. */
    private List<String> callsOf(String name) throws Exception {
        return Files.exists(calls(name)) ? Files.readAllLines(calls(name)) : List.of();
    }

    private DockerConfigCredentials config(String json) throws Exception {
        return config(json, Duration.ofSeconds(20));
    }

    private DockerConfigCredentials config(String json, Duration timeout) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        // The helpers' PATH: ours first, then the system's (sh, cat, sleep).
        String path = bin + ":/usr/bin:/bin";
        return DockerConfigCredentials.load(file, listener).withHelpers(Map.of("PATH", path), timeout);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String authsEntry(String key, String user, String password) {
        return "\"" + key + "\": {\"auth\": \"" + b64(user + ":" + password) + "\"}";
    }

    private String allText(Throwable e) {
        StringBuilder all = new StringBuilder(String.join("\n", log));
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append('\n').append(t);
        }
        return all.toString();
    }

    // ---- answers ---------------------------------------------------------------------------------------------

    @Test
    void thePasswordAnswerIsUsedAndTheHelperGetsTheServerUrlOnStandardInput() throws Exception {
        passwordHelper("store", "alice", "alice-pw");
        DockerConfigCredentials creds = config("{\"credsStore\": \"store\"}");

        RegistryCredentials found = creds.lookup(HOST).orElseThrow();

        assertThat(found.username()).isEqualTo("alice");
        assertThat(found.password()).containsExactly("alice-pw".toCharArray());
        assertThat(callsOf("store")).containsExactly(HOST);
        assertThat(String.join("\n", log)).doesNotContain("alice-pw");
    }

    @Test
    void dockerHubIsAskedForUnderDockersKey() throws Exception {
        passwordHelper("store", "hubuser", "hub-pw");
        DockerConfigCredentials creds = config("{\"credsStore\": \"store\"}");

        assertThat(creds.lookup("docker.io").orElseThrow().username()).isEqualTo("hubuser");
        assertThat(creds.lookup("registry-1.docker.io")).isPresent();

        assertThat(callsOf("store")).containsExactly("https://index.docker.io/v1/");
    }

    @Test
    void fieldNamesMatchRegardlessOfCaseAsGoDecodesThem() throws Exception {
        helper("store", "printf '{\"serverurl\":\"x\",\"USERNAME\":\"bob\",\"secret\":\"bob-pw\",\"Extra\":[1]}'");
        RegistryCredentials found =
                config("{\"credsStore\": \"store\"}").lookup(HOST).orElseThrow();
        assertThat(found.username()).isEqualTo("bob");
        assertThat(found.password()).containsExactly("bob-pw".toCharArray());
    }

    @Test
    void notFoundInTheKeychainMeansAnonymous() throws Exception {
        helper("store", "echo 'credentials not found in native keychain'; exit 1");
        DockerConfigCredentials creds = config("{\"credsStore\": \"store\"}");

        assertThat(creds.lookup(HOST)).isEmpty();
        assertThat(callsOf("store")).containsExactly(HOST);
        assertThat(log).noneMatch(l -> l.startsWith("WARN"));
    }

    @Test
    void theTokenUserNameIsAnIdentityTokenNotAPassword() throws Exception {
        helper(
                "store",
                "printf '{\"ServerURL\":\"%s\",\"Username\":\"<token>\",\"Secret\":\"" + OUT_SECRET + "\"}' \"$url\"");
        DockerConfigCredentials creds = config("{\"credsStore\": \"store\"}");

        RegistryCredentials found = creds.lookup(HOST).orElseThrow();
        assertThat(found.isIdentityToken()).isTrue();
        assertThat(found.password()).containsExactly(OUT_SECRET.toCharArray());
        assertThat(found.toString()).doesNotContain(OUT_SECRET);
        assertThat(creds.lookup(HOST).orElseThrow().isIdentityToken()).isTrue();

        assertThat(callsOf("store")).hasSize(1);
        assertThat(log).noneMatch(l -> l.startsWith("WARN"));
        assertThat(String.join("\n", log)).doesNotContain(OUT_SECRET);
    }

    // ---- precedence (docker/cli configfile.GetCredentialsStore and nativeStore.Get) ----------------------

    @Test
    void credHelpersWinOverCredsStoreWhichWinsOverAuths() throws Exception {
        passwordHelper("per-host", "per-host-user", "p1");
        passwordHelper("store", "store-user", "p2");
        DockerConfigCredentials creds = config("{\"auths\": {" + authsEntry(HOST, "file-user", "p3") + ", "
                + authsEntry("127.0.0.1:6000", "other-file-user", "p4") + "},"
                + "\"credsStore\": \"store\", \"credHelpers\": {\"" + HOST + "\": \"per-host\"}}");

        assertThat(creds.lookup(HOST).orElseThrow().username()).isEqualTo("per-host-user");
        assertThat(creds.lookup("127.0.0.1:6000").orElseThrow().username()).isEqualTo("store-user");

        assertThat(callsOf("per-host")).containsExactly(HOST);
        assertThat(callsOf("store")).containsExactly("127.0.0.1:6000");
    }

    @Test
    void aHelperThatHoldsNothingDoesNotFallBackToAuthsAsInDocker() throws Exception {
        helper("store", "echo 'credentials not found in native keychain'; exit 1");
        DockerConfigCredentials creds =
                config("{\"auths\": {" + authsEntry(HOST, "file-user", "file-pw") + "}, \"credsStore\": \"store\"}");

        assertThat(creds.lookup(HOST)).isEmpty();

        assertThat(log)
                .anySatisfy(l -> assertThat(l)
                        .startsWith("WARN")
                        .contains("docker-credential-store", "auths entry for " + HOST, "docker login " + HOST)
                        .doesNotContain("file-pw"));
    }

    @Test
    void anEmptyCredHelpersEntrySendsTheRegistryBackToAuths() throws Exception {
        passwordHelper("store", "store-user", "p2");
        DockerConfigCredentials creds = config("{\"auths\": {" + authsEntry(HOST, "file-user", "p3") + "},"
                + "\"credsStore\": \"store\", \"credHelpers\": {\"" + HOST + "\": \"\"}}");

        assertThat(creds.lookup(HOST).orElseThrow().username()).isEqualTo("file-user");
        assertThat(callsOf("store")).isEmpty();
    }

    @Test
    void withoutHelpersAuthsAreUsedAndNoProgramRuns() throws Exception {
        passwordHelper("elsewhere", "x", "y");
        DockerConfigCredentials creds = config("{\"auths\": {" + authsEntry(HOST, "file-user", "p3") + "},"
                + "\"credHelpers\": {\"127.0.0.1:7000\": \"elsewhere\"}}");

        assertThat(creds.lookup(HOST).orElseThrow().username()).isEqualTo("file-user");
        assertThat(creds.lookup("127.0.0.1:7001")).isEmpty();
        assertThat(callsOf("elsewhere")).isEmpty();
    }

    @Test
    void credHelpersAreKeyedAsDockerKeysThem() throws Exception {
        // docker looks Docker Hub up under https://index.docker.io/v1/ only: a "docker.io" key is not its key.
        passwordHelper("hub", "hubuser", "hub-pw");
        DockerConfigCredentials creds =
                config("{\"auths\": {" + authsEntry("https://index.docker.io/v1/", "file-hub", "p")
                        + "}, \"credHelpers\": {\"docker.io\": \"hub\"}}");
        assertThat(creds.lookup("docker.io").orElseThrow().username()).isEqualTo("file-hub");
        assertThat(callsOf("hub")).isEmpty();

        DockerConfigCredentials keyed = config("{\"credHelpers\": {\"https://index.docker.io/v1/\": \"hub\"}}");
        assertThat(keyed.lookup("registry-1.docker.io").orElseThrow().username())
                .isEqualTo("hubuser");
        assertThat(callsOf("hub")).containsExactly("https://index.docker.io/v1/");
    }

    // ---- laziness ------------------------------------------------------------------------------------------

    @Test
    void theHelperRunsOncePerHostEvenForConcurrentLookups() throws Exception {
        helper("store", "sleep 0.3; printf '{\"ServerURL\":\"%s\",\"Username\":\"u\",\"Secret\":\"s\"}' \"$url\"");
        DockerConfigCredentials creds = config("{\"credsStore\": \"store\"}");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Optional<RegistryCredentials>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return creds.lookup(HOST);
                }));
            }
            go.countDown();
            for (Future<Optional<RegistryCredentials>> r : results) {
                assertThat(r.get().orElseThrow().username()).isEqualTo("u");
            }
        } finally {
            pool.shutdownNow();
        }
        creds.lookup(HOST);
        assertThat(callsOf("store")).containsExactly(HOST);

        // a copy per caller: clearing one does not wipe the others
        creds.lookup(HOST).orElseThrow().clear();
        assertThat(creds.lookup(HOST).orElseThrow().password()).containsExactly('s');
    }

    // ---- failures ------------------------------------------------------------------------------------------

    @Test
    void aHelperThatFailsIsAnErrorNamingItAndTheRegistryAndNoneOfItsOutput() throws Exception {
        helper("failing", "echo '" + OUT_SECRET + "'; echo '" + ERR_SECRET + "' >&2; exit 3");
        DockerConfigCredentials creds = config("{\"credsStore\": \"failing\"}");

        assertThatThrownBy(() -> creds.lookup(HOST))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("docker-credential-failing")
                .hasMessageContaining("registry " + HOST)
                .hasMessageContaining("exit code 3")
                .hasMessageContaining("credsStore in " + dir.resolve("config.json"))
                .satisfies(e -> assertThat(allText(e)).doesNotContain(OUT_SECRET, ERR_SECRET));
        // the failure is remembered: the same error again, without a second run
        assertThatThrownBy(() -> creds.lookup(HOST))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("exit code 3");
        assertThat(callsOf("failing")).hasSize(1);
    }

    @Test
    void aHelperThatHangsIsKilledWithItsChildrenWhenTheTimeLimitPasses() throws Exception {
        Path pids = dir.resolve("pids");
        helper(
                "hanging",
                "echo $$ > '" + pids + "'; sleep 300 & echo $! >> '" + pids + "'; echo '" + OUT_SECRET + "'; wait");
        DockerConfigCredentials creds = config("{\"credsStore\": \"hanging\"}", Duration.ofSeconds(2));

        long started = System.nanoTime();
        assertThatThrownBy(() -> creds.lookup(HOST))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("docker-credential-hanging")
                .hasMessageContaining("registry " + HOST)
                .hasMessageContaining("did not answer within 2 s")
                .satisfies(e -> assertThat(allText(e)).doesNotContain(OUT_SECRET));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));

        List<String> lines = Files.readAllLines(pids);
        assertThat(lines).hasSize(2); // the script and its sleep
        for (String pid : lines) {
            Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(pid.strip()));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (process.map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(process.map(ProcessHandle::isAlive).orElse(false))
                    .as("process " + pid + " of the helper is gone")
                    .isFalse();
        }
    }

    @Test
    void aMissingHelperIsAnErrorNamingItTheRegistryAndTheFix() throws Exception {
        DockerConfigCredentials creds = config("{\"credHelpers\": {\"" + HOST + "\": \"absent\"}}");

        assertThatThrownBy(() -> creds.lookup(HOST))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("docker-credential-absent")
                .hasMessageContaining("registry " + HOST)
                .hasMessageContaining("not installed")
                .hasMessageContaining("credHelpers entry \"" + HOST + "\"")
                .hasMessageContaining("Install docker-credential-absent");
        // another registry has no helper: no error there
        assertThat(creds.lookup("127.0.0.1:7002")).isEmpty();
    }

    @Test
    void anAnswerThatIsNotJsonIsAnErrorWithoutTheAnswer() throws Exception {
        helper("garbled", "echo 'Username: bob Secret: " + OUT_SECRET + "'");
        DockerConfigCredentials creds = config("{\"credsStore\": \"garbled\"}");

        assertThatThrownBy(() -> creds.lookup(HOST))
                .isInstanceOf(RegistryAuthenticationException.class)
                .hasMessageContaining("docker-credential-garbled")
                .hasMessageContaining("not the JSON")
                .satisfies(e -> assertThat(allText(e)).doesNotContain(OUT_SECRET));
    }
}
