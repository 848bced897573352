package io.jenkins.plugins.multiarch.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.Exec;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.TestImages.Pushed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A peer judges each copy: skopeo reads the list and every child at both ends and gets the same bytes. */
class CopyPeerTest {

    private static final String USER = "peer";
    private static final String PASSWORD = "Peer-pw-3141";

    @RegisterExtension
    static final RegistryExtension<RegistryServer> source =
            RegistryExtension.plain().requiring(Component.SKOPEO);

    @RegisterExtension
    static final RegistryExtension<RegistryServer> destination =
            RegistryExtension.tlsBasicAuth(USER, PASSWORD).requiring(Component.SKOPEO);

    @TempDir
    Path dir;

    @Test
    void skopeoReadsTheSameBytesAtBothEnds() throws Exception {
        Pushed list = CopyTest.pushList(source.images(), "peer/app", "1.0");
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(source.get().hostPort())
                .caFile(destination.get().caFile())
                .credentials(CredentialsSource.of(destination.get().hostPort(), RegistryCredentials.of(USER, PASSWORD)))
                .build());
        CopyResult result = new Copier(client, null)
                .copy(CopyRequest.of(
                        ImageReference.parse(source.get().hostPort() + "/peer/app:1.0"),
                        List.of(CopyTarget.of(
                                ImageReference.parse(destination.get().hostPort() + "/prod/app"), List.of()))));
        assertThat(result.success()).isTrue();

        Path certs = Files.createDirectories(dir.resolve("certs"));
        Files.copy(destination.get().caFile(), certs.resolve("ca.crt"));
        Path auth = dir.resolve("auth.json");
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        Files.writeString(auth, "{\"auths\":{\"" + destination.get().hostPort() + "\":{\"auth\":\"" + basic + "\"}}}");

        List<String> refs = new ArrayList<>(List.of("1.0"));
        refs.addAll(CopyTest.childDigests(list).stream().map(d -> "@" + d).toList());
        for (String ref : refs) {
            String suffix = ref.startsWith("@") ? ref : ":" + ref;
            byte[] atSource =
                    skopeoRaw(List.of("--tls-verify=false"), source.get().hostPort() + "/peer/app" + suffix);
            byte[] atDestination = skopeoRaw(
                    List.of("--cert-dir", certs.toString(), "--authfile", auth.toString()),
                    destination.get().hostPort() + "/prod/app" + suffix);
            assertThat(atDestination).as("skopeo inspect --raw of " + ref).isEqualTo(atSource);
        }
        assertThat(skopeoRaw(List.of("--tls-verify=false"), source.get().hostPort() + "/peer/app:1.0"))
                .isEqualTo(list.manifest());
    }

    private byte[] skopeoRaw(List<String> options, String reference) {
        List<String> command = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
        command.addAll(options);
        command.add("docker://" + reference);
        Exec.Result r = Exec.run(command, Duration.ofSeconds(60)).orThrow();
        return r.stdout().getBytes(StandardCharsets.UTF_8);
    }
}
