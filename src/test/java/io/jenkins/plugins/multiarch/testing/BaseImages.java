package io.jenkins.plugins.multiarch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The offline base image: busybox for linux/amd64 ({@code /bin/busybox}, or {@code MULTIARCH_BUSYBOX_AMD64}) and
 * linux/arm64/v8 (Debian's busybox-static:arm64 binary: {@code MULTIARCH_BUSYBOX_ARM64}, default
 * {@code /var/cache/multiarch-test/busybox-arm64}) as a real multi-arch index, pushed with raw HTTP
 * ({@link TestImages}). Each rootfs holds {@code bin/busybox} plus links ({@link #LINKS}) and {@code tmp/}, so a
 * Dockerfile can say {@code FROM 127.0.0.1:PORT/base/busybox:1} and {@code RUN uname -m > /arch} on either platform.
 * The layers are deterministic: the same binaries give the same digests.
 */
public final class BaseImages {

    public static final String REPOSITORY = "base/busybox";
    public static final String TAG = "1";
    public static final List<String> LINKS =
            List.of("sh", "uname", "cat", "echo", "ls", "mkdir", "true", "env", "rm", "test");
    public static final Map<String, Object> CONTAINER_CONFIG = Map.of(
            "Cmd", List.of("sh"),
            "Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));

    /** What was pushed: {@code reference} = "HOST:PORT/base/busybox:1"; per platform "linux/amd64", "linux/arm64/v8". */
    public record Base(String reference, TestImages.Pushed index, Map<String, TestImages.Pushed> perPlatform) {}

    private static final Map<Path, byte[]> ROOTFS = new ConcurrentHashMap<>();

    private BaseImages() {}

    /** Pushes the base as a Docker manifest list {@code base/busybox:1} into {@code registry}. */
    public static Base push(RegistryServer registry) {
        return push(TestImages.forRegistry(registry), registry.hostPort(), REPOSITORY, TAG, TestImages.Format.DOCKER);
    }

    /** Pushes the base into the registry {@code images} writes to ({@code hostPort} only names it in the result). */
    public static Base push(
            TestImages images, String hostPort, String repository, String tag, TestImages.Format format) {
        Components.require(Components.Component.BUSYBOX);
        Map<String, TestImages.Pushed> children = new LinkedHashMap<>();
        children.put(
                "linux/amd64",
                images.pushImage(
                        repository,
                        null,
                        "linux/amd64",
                        format,
                        List.of(rootfsTar(Components.busyboxAmd64())),
                        CONTAINER_CONFIG));
        children.put(
                "linux/arm64/v8",
                images.pushImage(
                        repository,
                        null,
                        "linux/arm64/v8",
                        format,
                        List.of(rootfsTar(Components.busyboxArm64())),
                        CONTAINER_CONFIG));
        TestImages.Pushed index = images.pushIndex(
                repository,
                tag,
                format,
                children.values().stream().map(TestImages::entry).toList());
        return new Base(hostPort + "/" + repository + ":" + tag, index, Map.copyOf(children));
    }

    /** The uncompressed rootfs layer for one busybox binary (cached per JVM). */
    public static byte[] rootfsTar(Path busybox) {
        return ROOTFS.computeIfAbsent(busybox, b -> {
            try {
                Tar tar = new Tar().directory("bin", 0755).file("bin/busybox", 0755, Files.readAllBytes(b));
                for (String link : LINKS) {
                    tar.symlink("bin/" + link, "busybox");
                }
                return tar.directory("tmp", 01777).toBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read busybox binary " + b, e);
            }
        });
    }
}
