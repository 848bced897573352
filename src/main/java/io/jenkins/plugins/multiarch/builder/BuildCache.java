package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.Objects;

/**
 * {@code --cache REPO}, {@code buildArchImage(cache: 'REPO')}: a build cache kept per platform, so that one
 * platform's export never overwrites another's (docker/bake-action#329). The platform's part of the name is its
 * docker-library architecture name ({@link Platform#dockerLibraryArch()}), as in the per-arch image names.
 *
 * <ul>
 *   <li>The Docker Engine (classic builder) uses an image as its cache: {@code REPO:buildcache-<arch>}, pulled
 *       before the build and given as {@code --cache-from}, replaced by the new image after a successful build.
 *   <li>buildah 1.28 ({@code --layers --cache-from R --cache-to R}) keeps one image per build step in the
 *       repository R, tagged with its own cache key: a hash of the base image's layers and history and of the
 *       step. The key does not name the platform (for a stage FROM scratch it is the same on every platform), so
 *       each platform gets a repository of its own: {@code REPO-buildcache-<arch>}.
 * </ul>
 *
 * The cache's registry gets the credentials configured for that registry, never the image's: the same rules as
 * the image (no credentials over plain HTTP unless the registry is named insecure).
 */
public record BuildCache(ImageReference repository) {

    public static final String TAG_PREFIX = "buildcache-";

    public BuildCache {
        Objects.requireNonNull(repository, "repository");
        if (repository.tag().isPresent() || repository.digest().isPresent()) {
            throw new InvalidInputException("cache '" + repository + "' has a "
                    + (repository.digest().isPresent() ? "digest" : "tag") + ": give the repository alone ("
                    + repository.withoutTagOrDigest() + "); multiarch keeps one cache per platform in it ("
                    + TAG_PREFIX + "amd64, " + TAG_PREFIX + "arm64v8, ...)");
        }
    }

    /**
     * The one rule for a cache reference, shared by the CLI ({@code --cache}), the step and the form check: an
     * image repository without tag or digest.
     *
     * @throws InvalidInputException for a blank value, an invalid reference, a tag or a digest
     */
    public static BuildCache parse(String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidInputException(
                    "the cache repository is empty: give a repository, e.g. registry.example/onap/py-app-cache");
        }
        ImageReference r;
        try {
            r = ImageReference.parse(value.strip());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("cache: " + e.getMessage(), e);
        }
        return new BuildCache(r);
    }

    /** {@link #parse} for an optional value: null for null or blank. */
    public static BuildCache parseOptional(String value) {
        return value == null || value.isBlank() ? null : parse(value);
    }

    /** The Docker Engine's cache image for {@code platform}: {@code REPO:buildcache-<arch>}. */
    public ImageReference imageFor(Platform platform) {
        return repository.withTag(TAG_PREFIX + platform.dockerLibraryArch());
    }

    /** buildah's cache repository for {@code platform}: {@code REPO-buildcache-<arch>} (its tags are cache keys). */
    public ImageReference repositoryFor(Platform platform) {
        return repository.withRepository(repository.repository() + "-" + TAG_PREFIX + platform.dockerLibraryArch());
    }

    @Override
    public String toString() {
        return repository.toString();
    }
}
