package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.ImageConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Refuses, before pushing, an image buildah built for another platform. Its config is read from buildah's
 * store where that is a folder we know (hash-checked, no process), otherwise with {@code buildah inspect}. The
 * config alone is not enough with buildah: given {@code --platform}, buildah 1.28 writes that platform into the
 * config of whatever base it got, even a base that exists only for another platform. So the base it recorded
 * (the standard {@code org.opencontainers.image.base.digest} annotation) is looked up in the store and its config
 * must name the requested platform too, variant included where both the base and the request name one (arm/v6
 * against an arm/v7-only base). With a base, only os and architecture of the built image are compared (buildah
 * writes the requested variant into it); FROM scratch the variant too, because there buildah 1.28 writes its own
 * ({@code v7} for {@code --platform linux/arm/v6}). The registry read-back after the push compares everything.
 */
final class BuildahPlatformCheck {

    private final BuildahSettings buildah;
    private final LogLines lines;

    BuildahPlatformCheck(BuildahSettings buildah, LogLines lines) {
        this.buildah = buildah;
        this.lines = lines;
    }

    void check(String imageId, Platform requested) {
        List<java.nio.file.Path> roots =
                buildah.root() != null ? List.of(buildah.root()) : ContainersStorage.defaultRoots();
        Optional<ContainersStorage.LocalImage> local = ContainersStorage.image(roots, buildah.storageDriver(), imageId);
        Optional<Platform> built = local.flatMap(l -> platformOf(l.config())).or(() -> inspectPlatform(imageId));
        if (built.isPresent() && !sameOsAndArchitecture(built.get(), requested)) {
            throw new VerificationException("the image built for " + requested + " (" + imageId + ") is " + built.get()
                    + " according to its config, so it was not pushed: its base image was the wrong platform; give a "
                    + "base image that has a " + requested + " variant");
        }
        if (local.isEmpty()) {
            lines.line("the base image's platform was not checked: buildah's store is not in a folder this builder "
                    + "reads (give the builder its --root to have it checked)");
            return;
        }
        ContainersStorage.LocalImage image = local.get();
        if (image.baseDigest().isEmpty()) {
            checkScratch(imageId, built, requested);
            return;
        }
        Digest baseDigest = image.baseDigest().get();
        String baseName = image.baseName().orElse(baseDigest.toString());
        Optional<Platform> base = ContainersStorage.configOfManifest(image.root(), buildah.storageDriver(), baseDigest)
                .flatMap(BuildahPlatformCheck::platformOf);
        if (base.isEmpty()) {
            lines.line("the platform of the base image " + baseName + " was not checked: it is not in buildah's store");
        } else if (!sameOsAndArchitecture(base.get(), requested)
                || (base.get().normalize().variant() != null
                        && requested.normalize().variant() != null
                        && !base.get().matches(requested))) {
            throw new VerificationException("the image built for " + requested + " (" + imageId + ") is built on "
                    + baseName + " (" + baseDigest + "), which is " + base.get() + " according to its config, so it "
                    + "was not pushed: that base has no " + requested + " variant and buildah used the " + base.get()
                    + " one (and wrote " + requested + " into the result's config); give a base image that has a "
                    + requested + " variant");
        }
    }

    /** FROM scratch there is no base to blame: a wrong variant is what buildah itself wrote. */
    private void checkScratch(String imageId, Optional<Platform> built, Platform requested) {
        if (built.isPresent() && !built.get().matches(requested)) {
            throw new VerificationException("the image built for " + requested + " (" + imageId + ") FROM scratch is "
                    + built.get() + " according to its config, so it was not pushed: it has no base image, buildah "
                    + buildah.version() + " wrote " + built.get() + " into its config itself (buildah 1.28 writes "
                    + "variant v7 for --platform linux/arm/v6); build " + requested + " with the docker builder or a "
                    + "newer buildah");
        }
    }

    /** The platform a config declares; empty when it declares none usable (the registry read-back still checks). */
    private static Optional<Platform> platformOf(ImageConfig config) {
        try {
            return Optional.of(config.platform());
        } catch (VerificationException | InvalidInputException unusable) {
            return Optional.empty();
        }
    }

    private static boolean sameOsAndArchitecture(Platform actual, Platform requested) {
        return actual.withVariant(null).matches(requested.withVariant(null));
    }

    private Optional<Platform> inspectPlatform(String imageId) {
        List<String> inspect = buildah.command();
        inspect.addAll(
                List.of("inspect", "--type", "image", "--format", "{{.OCIv1.OS}}/{{.OCIv1.Architecture}}", imageId));
        Subprocess.Result r = buildah.subprocess().run(inspect, Map.of(), lines, false);
        String[] parts = r.output().strip().split("/");
        if (r.exit() != 0 || parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            return Optional.empty(); // the registry read-back still checks
        }
        try {
            return Optional.of(Platform.of(parts[0], parts[1]));
        } catch (InvalidInputException unusable) {
            return Optional.empty();
        }
    }
}
