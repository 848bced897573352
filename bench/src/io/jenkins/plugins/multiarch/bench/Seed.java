package io.jenkins.plugins.multiarch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import io.jenkins.plugins.multiarch.testing.Tar;
import io.jenkins.plugins.multiarch.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The children every publish scenario starts from, pushed once by raw HTTP ({@link TestImages}): one image per
 * platform, each a config plus two gzipped layers (a 256 KiB "base" and an 8 KiB "app" layer, random so that
 * gzip cannot shrink them and any layer byte a tool moves shows up in the access log).
 *
 * <p>Two layouts, as users have them:
 * <ul>
 * <li>{@code same-repo}: children pushed by digest into the target repository ({@code bench/same}), as
 * multiarch's default naming does;</li>
 * <li>{@code per-arch}: children in one repository per architecture, tagged, as the seed's naming does
 * ({@code bench/app-arm64v8:1.0}); the list goes to a repository that does not have them yet.</li>
 * </ul>
 */
final class Seed {

    /** The first 8 are the usual Linux set; the rest make 32 distinct platforms for the scale scenario. */
    static final List<String> PLATFORMS = List.of(
            "linux/amd64",
            "linux/arm64/v8",
            "linux/arm/v7",
            "linux/arm/v6",
            "linux/386",
            "linux/ppc64le",
            "linux/s390x",
            "linux/riscv64",
            "linux/mips64le",
            "linux/arm/v5",
            "linux/mips64",
            "linux/loong64",
            "windows/amd64",
            "windows/arm64",
            "windows/386",
            "freebsd/amd64",
            "freebsd/arm64/v8",
            "freebsd/386",
            "freebsd/riscv64",
            "netbsd/amd64",
            "netbsd/arm64/v8",
            "netbsd/386",
            "openbsd/amd64",
            "openbsd/arm64/v8",
            "openbsd/386",
            "darwin/amd64",
            "darwin/arm64/v8",
            "solaris/amd64",
            "illumos/amd64",
            "aix/ppc64",
            "plan9/amd64",
            "dragonfly/amd64");

    static final String SAME_REPO = "bench/same";
    static final String PER_ARCH_PREFIX = "bench/app-";
    static final String PER_ARCH_TAG = "1.0";

    /** One child image as the tools name it. */
    record Child(String platform, String sameRepoRef, String perArchRef, String digest, String perArchDigest) {
        String ref(Layout layout) {
            return layout == Layout.SAME_REPO ? sameRepoRef : perArchRef;
        }

        /** The same child reached through another address (a proxy in front of the registry). */
        Child via(String registryHostPort, String otherHostPort) {
            return new Child(
                    platform,
                    otherHostPort + sameRepoRef.substring(registryHostPort.length()),
                    otherHostPort + perArchRef.substring(registryHostPort.length()),
                    digest,
                    perArchDigest);
        }
    }

    enum Layout {
        SAME_REPO("same-repo"),
        PER_ARCH("per-arch");

        final String label;

        Layout(String label) {
            this.label = label;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<Child> children = new ArrayList<>();
    /** Every layer digest pushed, with its size: a tool that moves one of these moved layer bytes. */
    final Map<String, Long> layerSizes = new HashMap<>();

    final Set<String> configDigests = new HashSet<>();

    Seed(RegistryServer registry, int count) {
        this(registry, count, SAME_REPO);
    }

    /** The same, with the same-repo children in {@code sameRepo} (one repository per user, say). */
    Seed(RegistryServer registry, int count, String sameRepo) {
        TestImages images = TestImages.forRegistry(registry);
        for (String platform : PLATFORMS.subList(0, count)) {
            byte[] base = new Tar()
                    .directory("base", 0755)
                    .file("base/blob.bin", 0644, TestImages.randomBytes(256 * 1024))
                    .toBytes();
            byte[] app = new Tar()
                    .directory("app", 0755)
                    .file("app/platform", 0644, (platform + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .file("app/blob.bin", 0644, TestImages.randomBytes(8 * 1024))
                    .toBytes();
            Map<String, Object> cfg = Map.of("Cmd", List.of("/app/run"));
            // Same content in both layouts (what a build pushes under both namings); the per-arch copy is tagged.
            TestImages.Pushed same =
                    images.pushImage(sameRepo, null, platform, TestImages.Format.DOCKER, List.of(base, app), cfg);
            String perArchRepo = PER_ARCH_PREFIX + suffix(platform);
            TestImages.Pushed perArch = images.pushImage(
                    perArchRepo, PER_ARCH_TAG, platform, TestImages.Format.DOCKER, List.of(base, app), cfg);
            record(same.manifest());
            record(perArch.manifest());
            children.add(new Child(
                    platform,
                    registry.ref(sameRepo) + "@" + same.digest(),
                    registry.ref(perArchRepo + ":" + PER_ARCH_TAG),
                    same.digest(),
                    perArch.digest()));
        }
    }

    List<Child> first(int n) {
        return children.subList(0, n);
    }

    /** The first {@code n} children as reached through {@code otherHostPort} instead of the registry. */
    List<Child> first(int n, String registryHostPort, String otherHostPort) {
        return children.subList(0, n).stream()
                .map(c -> c.via(registryHostPort, otherHostPort))
                .toList();
    }

    private void record(byte[] manifest) {
        try {
            JsonNode m = JSON.readTree(manifest);
            configDigests.add(m.get("config").get("digest").asText());
            for (JsonNode l : m.get("layers")) {
                layerSizes.put(l.get("digest").asText(), l.get("size").asLong());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seed's repository suffix: docker-library names for Linux ({@code arm64v8}), {@code os-arch} otherwise. */
    static String suffix(String platform) {
        Platform p = Platform.parse(platform);
        try {
            return p.dockerLibraryArch();
        } catch (RuntimeException notLibraryArch) {
            return (p.os() + "-" + p.architecture() + (p.variant() == null ? "" : p.variant()))
                    .toLowerCase(Locale.ROOT);
        }
    }
}
