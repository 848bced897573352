package io.jenkins.plugins.multiarch.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import edu.umd.cs.findbugs.annotations.SuppressFBWarnings;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.manifest.ImageConfig;
import io.jenkins.plugins.multiarch.manifest.ManifestCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an image's config straight from a containers/storage folder (buildah's store), which saves a
 * {@code buildah inspect} process per build, and finds the config of the base it was built on. Layout:
 * an image's config is a "big data" item named by its digest, {@code <root>/<driver>-images/<image
 * id>/=base64("sha256:<image id>")}, an image's ID is its config's digest, its manifest is the item
 * {@code manifest}, and {@code images.json} lists every image with the manifests it was pulled as. Only a
 * config that hashes to its image ID is accepted, so a store laid out otherwise, another root or a
 * half-written file give {@link Optional#empty()} (and the caller asks buildah instead), never a wrong
 * answer.
 */
final class ContainersStorage {

    /** Configs and manifests are small; anything larger is not read here (the registry read-back still checks). */
    private static final long MAX_CONFIG_BYTES = 8L * 1024 * 1024;

    private static final long MAX_INDEX_BYTES = 64L * 1024 * 1024;
    /** OCI image-spec's standard annotations, which buildah writes into the manifest of what it builds. */
    static final String BASE_DIGEST = "org.opencontainers.image.base.digest";

    static final String BASE_NAME = "org.opencontainers.image.base.name";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContainersStorage() {}

    /**
     * What the store says about a built image: its config and, where the builder recorded them (buildah
     * does, in its manifest's standard OCI annotations), the base image it was built on.
     */
    record LocalImage(Path root, ImageConfig config, Optional<Digest> baseDigest, Optional<String> baseName) {}

    /**
     * The image {@code imageId} from the first of {@code roots} that holds it.
     *
     * @param imageId what {@code buildah bud --iidfile} wrote: {@code sha256:<hex>} (or the bare hex)
     */
    static Optional<LocalImage> image(List<Path> roots, String driver, String imageId) {
        Optional<Digest> parsed = digest(imageId.contains(":") ? imageId : "sha256:" + imageId);
        if (parsed.isEmpty()
                || !parsed.get().algorithm().equals("sha256")
                || driver == null
                || !driver.matches("[a-z0-9_]+")) {
            return Optional.empty();
        }
        Digest id = parsed.get();
        for (Path root : roots) {
            Path folder = root.resolve(driver + "-images").resolve(id.hex());
            Optional<ImageConfig> config = readConfig(folder, id);
            if (config.isPresent()) {
                Optional<JsonNode> annotations =
                        readManifest(folder.resolve("manifest"), id).map(m -> m.path("annotations"));
                Optional<Digest> baseDigest = annotations
                        .map(a -> a.path(BASE_DIGEST).asText(""))
                        .filter(d -> !d.isEmpty())
                        .flatMap(ContainersStorage::digest);
                Optional<String> baseName =
                        annotations.map(a -> a.path(BASE_NAME).asText("")).filter(n -> !n.isEmpty());
                return Optional.of(new LocalImage(root, config.get(), baseDigest, baseName));
            }
        }
        return Optional.empty();
    }

    /**
     * The config of the image in {@code root} that was pulled as the manifest {@code manifestDigest} (the
     * store indexes pulled manifests by digest, also the one chosen from a list).
     */
    static Optional<ImageConfig> configOfManifest(Path root, String driver, Digest manifestDigest) {
        Path images = root.resolve(driver + "-images");
        Path index = images.resolve("images.json");
        try {
            if (!Files.isRegularFile(index) || Files.size(index) > MAX_INDEX_BYTES) {
                return Optional.empty();
            }
            String key = "manifest-" + manifestDigest;
            for (JsonNode image : JSON.readTree(index.toFile())) {
                boolean holds =
                        manifestDigest.toString().equals(image.path("digest").asText(""));
                for (JsonNode name : image.path("big-data-names")) {
                    holds |= key.equals(name.asText());
                }
                if (!holds) {
                    continue;
                }
                Optional<ImageConfig> config = digest(
                                "sha256:" + image.path("id").asText(""))
                        .flatMap(id -> readConfig(images.resolve(id.hex()), id));
                if (config.isPresent()) {
                    return config;
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // an index we cannot read: the caller reports the base as unchecked
        }
        return Optional.empty();
    }

    /** The config big-data item of the image in {@code folder}, only if it hashes to the image ID. */
    private static Optional<ImageConfig> readConfig(Path folder, Digest id) {
        Path file = folder.resolve(bigDataName(id.toString()));
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_CONFIG_BYTES) {
                return Optional.empty();
            }
            byte[] bytes = Files.readAllBytes(file);
            return id.matches(bytes) ? Optional.of(ManifestCodec.parseConfig(bytes)) : Optional.empty();
        } catch (IOException | VerificationException | InvalidInputException unreadable) {
            return Optional.empty();
        }
    }

    /** The image's own manifest, only if it names the image's config (so it is not another image's). */
    private static Optional<JsonNode> readManifest(Path file, Digest id) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_CONFIG_BYTES) {
                return Optional.empty();
            }
            JsonNode manifest = JSON.readTree(file.toFile());
            return id.toString().equals(manifest.path("config").path("digest").asText())
                    ? Optional.of(manifest)
                    : Optional.empty();
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** containers/storage's file name for a big-data key that is not plain lower-case: "=" + base64. */
    private static String bigDataName(String key) {
        return "=" + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<Digest> digest(String text) {
        try {
            return Optional.of(Digest.parse(text));
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    /**
     * Where buildah keeps its images when no {@code --root} is given: the {@code graphroot} (for a user other
     * than root also the {@code rootless_storage_path}) of the storage.conf files buildah reads, then the
     * built-in defaults (root's store for uid 0, the user's otherwise). Every candidate is only a place to
     * look: {@link #image} accepts nothing that does not hash to the image ID.
     */
    static List<Path> defaultRoots() {
        return defaultRoots(
                System.getenv(),
                Path.of(System.getProperty("user.home")),
                "root".equals(System.getProperty("user.name")));
    }

    @SuppressFBWarnings(
            value = "DMI_HARDCODED_ABSOLUTE_FILENAME",
            justification = "containers-storage's own fixed locations, where buildah itself looks")
    static List<Path> defaultRoots(Map<String, String> env, Path home, boolean rootUser) {
        List<Path> confs = new ArrayList<>();
        String explicit = env.get("CONTAINERS_STORAGE_CONF");
        if (explicit != null && !explicit.isBlank()) {
            confs.add(Path.of(explicit));
        }
        if (!rootUser) {
            String xdgConfig = env.get("XDG_CONFIG_HOME");
            Path config = xdgConfig != null && !xdgConfig.isBlank() ? Path.of(xdgConfig) : home.resolve(".config");
            confs.add(config.resolve("containers").resolve("storage.conf"));
        }
        confs.add(Path.of("/etc/containers/storage.conf"));
        confs.add(Path.of("/usr/share/containers/storage.conf"));
        List<Path> roots = new ArrayList<>();
        for (Path conf : confs) {
            roots.addAll(configuredRoots(conf, home, rootUser));
        }
        if (rootUser) {
            roots.add(Path.of("/var/lib/containers/storage"));
        }
        String xdgData = env.get("XDG_DATA_HOME");
        if (xdgData != null && !xdgData.isBlank()) {
            roots.add(Path.of(xdgData, "containers", "storage"));
        }
        roots.add(home.resolve(".local").resolve("share").resolve("containers").resolve("storage"));
        return List.copyOf(new java.util.LinkedHashSet<>(roots));
    }

    private static final Pattern ROOT_SETTING =
            Pattern.compile("(?m)^\\s*(graphroot|rootless_storage_path)\\s*=\\s*[\"']([^\"']+)[\"']");

    /** The stores a storage.conf names (rootless_storage_path first for a user other than root); none if unreadable. */
    private static List<Path> configuredRoots(Path conf, Path home, boolean rootUser) {
        List<Path> found = new ArrayList<>();
        try {
            if (!Files.isRegularFile(conf) || Files.size(conf) > MAX_CONFIG_BYTES) {
                return found;
            }
            Matcher m = ROOT_SETTING.matcher(Files.readString(conf, StandardCharsets.UTF_8));
            while (m.find()) {
                boolean rootless = m.group(1).equals("rootless_storage_path");
                if (rootless && rootUser) {
                    continue;
                }
                String value = m.group(2).replace("$HOME", home.toString());
                if (value.startsWith("/")) {
                    found.add(rootless ? 0 : found.size(), Path.of(value));
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // a storage.conf we cannot read names no store
        }
        return found;
    }
}
