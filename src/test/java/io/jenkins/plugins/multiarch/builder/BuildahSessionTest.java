package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The buildah session's own files, and the filter of buildah's unconsumed-args warning (its 1.28 wording). */
class BuildahSessionTest {

    @TempDir
    Path dir;

    @Test
    void theSessionOwnsItsAuthFileAndRegistriesConfAndDeletesThemOnClose() throws Exception {
        BuildahBuilder buildah = BuildahBuilder.builder()
                .registryClient(new RegistryClient(RegistrySettings.builder().build()))
                .insecureRegistry("127.0.0.1:5000")
                .workDir(dir)
                .build();
        BuildRequest request = BuildRequest.builder()
                .context(dir)
                .platform("linux/amd64")
                .image("127.0.0.1:5000/a/b")
                .build();
        RegistryCredentials creds = new RegistryCredentials("u", "p4ss".toCharArray());
        Path folder;
        try (BuildahSession session = BuildahSession.open(
                buildah.settings(), request, Optional.of(creds), new LogLines(LogListener.NONE, "", List.of()))) {
            folder = session.folder();
            assertThat(folder.getParent()).isEqualTo(dir);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve("auth.json"))))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(folder.resolve("registries.conf")))
                    .contains("location = \"127.0.0.1:5000\"\ninsecure = true");
        }
        assertThat(folder).doesNotExist();
    }

    @Test
    void onlyTheUsersOwnUnconsumedArgsAreReported() {
        String line = "[Warning] one or more build args were not consumed: [TARGETOS TARGETPLATFORM TARGETVARIANT]";
        assertThat(BuildahSession.withoutOwnArgs(line, Set.of())).isNull();
        assertThat(BuildahSession.withoutOwnArgs(
                        "[Warning] one or more build args were not consumed: [FOO TARGETARCH]", Set.of("FOO")))
                .isEqualTo("[Warning] one or more build args were not consumed: [FOO]");
        assertThat(BuildahSession.withoutOwnArgs(
                        "[Warning] one or more build args were not consumed: [TARGETARCH]", Set.of("TARGETARCH")))
                .as("a TARGETARCH the user passed is theirs")
                .isEqualTo("[Warning] one or more build args were not consumed: [TARGETARCH]");
        assertThat(BuildahSession.withoutOwnArgs("STEP 1/2: FROM scratch", Set.of()))
                .isEqualTo("STEP 1/2: FROM scratch");
    }
}
