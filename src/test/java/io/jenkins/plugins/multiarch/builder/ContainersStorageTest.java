package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.testing.Components;
import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a config from a real buildah store, checked against what {@code buildah inspect} says. */
class ContainersStorageTest {

    @TempDir
    static Path store;

    static String imageId;

    @BeforeAll
    static void buildAnArm64ImageFromScratch() throws IOException {
        Components.require(Component.BUILDAH);
        Path ctx = Files.createDirectories(store.resolve("ctx"));
        // no RUN step: no emulator needed, yet the config says arm64 because buildah was asked for it
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY Dockerfile /\nLABEL purpose=storage-test\n");
        Path iid = store.resolve("iid");
        List<String> bud = buildah("bud", "--platform", "linux/arm64", "--iidfile", iid.toString(), ctx.toString());
        Exec.run(bud, Duration.ofMinutes(2)).orThrow();
        imageId = Files.readString(iid).strip();
    }

    private static List<String> buildah(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                "buildah",
                "--storage-driver",
                "vfs",
                "--root",
                store.resolve("root").toString(),
                "--runroot",
                store.resolve("run").toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void readsTheSamePlatformBuildahInspectReports() {
        String inspected = Exec.run(
                        buildah(
                                "inspect",
                                "--type",
                                "image",
                                "--format",
                                "{{.OCIv1.OS}}/{{.OCIv1.Architecture}}",
                                imageId),
                        Duration.ofMinutes(1))
                .orThrow()
                .stdout()
                .strip();
        Optional<ContainersStorage.LocalImage> image =
                ContainersStorage.image(List.of(store.resolve("missing"), store.resolve("root")), "vfs", imageId);
        assertThat(image).isPresent();
        assertThat(image.get().root()).isEqualTo(store.resolve("root"));
        assertThat(inspected).isEqualTo("linux/arm64");
        assertThat(image.get().config().platform().matches(Platform.parse(inspected)))
                .isTrue();
        assertThat(image.get().baseDigest()).as("FROM scratch has no base").isEmpty();
        assertThat(ContainersStorage.image(List.of(store.resolve("root")), "vfs", imageId.replace("sha256:", "")))
                .as("the bare hex, as some buildah versions write it")
                .isPresent();
    }

    @Test
    void aStoreMovedByStorageConfIsFound() throws IOException {
        // an agent whose admin moved buildah's store: storage.conf names it, no --root is given
        Path conf = store.resolve("storage.conf");
        Files.writeString(
                conf,
                "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + store.resolve("root") + "\"\n"
                        + "rootless_storage_path = \"$HOME/rootless-store\"\n");
        Path home = store.resolve("home");
        List<Path> asRoot = ContainersStorage.defaultRoots(
                java.util.Map.of("CONTAINERS_STORAGE_CONF", conf.toString()), home, true);
        assertThat(asRoot.get(0)).isEqualTo(store.resolve("root"));
        assertThat(asRoot)
                .doesNotContain(home.resolve("rootless-store"))
                .contains(Path.of("/var/lib/containers/storage"));
        assertThat(ContainersStorage.image(asRoot, "vfs", imageId)).isPresent();

        List<Path> asUser = ContainersStorage.defaultRoots(
                java.util.Map.of("CONTAINERS_STORAGE_CONF", conf.toString()), home, false);
        assertThat(asUser.subList(0, 2)).containsExactly(home.resolve("rootless-store"), store.resolve("root"));
        assertThat(asUser)
                .doesNotContain(Path.of("/var/lib/containers/storage"))
                .contains(home.resolve(".local/share/containers/storage"));

        List<Path> without = ContainersStorage.defaultRoots(
                java.util.Map.of(
                        "CONTAINERS_STORAGE_CONF", store.resolve("missing.conf").toString()),
                home,
                true);
        assertThat(without).doesNotContain(store.resolve("root"));
    }

    @Test
    void anythingThatIsNotExactlyTheImagesConfigIsIgnored() throws IOException {
        Path root = store.resolve("root");
        assertThat(ContainersStorage.image(List.of(root), "overlay", imageId))
                .as("another driver's folder")
                .isEmpty();
        // a store reachable through "../": only the driver-name check stops "../vfs" from finding it
        Files.createSymbolicLink(store.resolve("vfs-images"), root.resolve("vfs-images"));
        assertThat(ContainersStorage.image(List.of(root), "../vfs", imageId))
                .as("no path games")
                .isEmpty();
        assertThat(ContainersStorage.image(List.of(root), "vfs", "sha256:" + "0".repeat(64)))
                .isEmpty();
        assertThat(ContainersStorage.image(List.of(root), "vfs", "not-a-digest"))
                .isEmpty();

        // a copy of the store whose config was altered: its content no longer hashes to the image ID
        Path copy = store.resolve("tampered");
        Path source = root.resolve("vfs-images").resolve(imageId.replace("sha256:", ""));
        Path target = Files.createDirectories(copy.resolve("vfs-images").resolve(source.getFileName()));
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                Files.writeString(target.resolve(f.getFileName().toString()), text.replace("arm64", "amd64"));
            }
        }
        assertThat(ContainersStorage.image(List.of(copy), "vfs", imageId)).isEmpty();
        assertThat(ContainersStorage.image(List.of(copy, root), "vfs", imageId))
                .as("the next root is tried")
                .isPresent();
    }
}
