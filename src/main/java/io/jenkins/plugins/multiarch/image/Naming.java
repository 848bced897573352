package io.jenkins.plugins.multiarch.image;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What each platform's image is pushed as, before the list ties them together. Names use the
 * docker-library architecture names ({@code amd64}, {@code arm64v8}, {@code arm32v7}, ...).
 */
public enum Naming {
    /**
     * The default: one temporary tag per build in the target repository, e.g.
     * {@code registry/onap/py-app:build-arm64v8-3f9a1c2b7d4e}; everything downstream uses the digest.
     * The tag is not deleted by digest (that would delete the image under every tag, see
     * registry-client.md case 27); it is left for the registry's retention policy.
     */
    DIGEST,
    /** The seed's convention, one repository per architecture: {@code onap/py-app-arm64v8:1.0}. */
    REPO_SUFFIX,
    /** One repository, a tag per architecture: {@code onap/py-app:1.0-arm64v8}. */
    TAG_SUFFIX;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The CLI spelling: {@code digest}, {@code repo-suffix}, {@code tag-suffix}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Naming parse(String value) {
        if (value != null) {
            String v = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Naming n : values()) {
                if (n.name().equals(v)) {
                    return n;
                }
            }
        }
        throw new InvalidInputException("naming '" + value + "' is unknown: use digest, repo-suffix or tag-suffix");
    }

    /**
     * The references to push for one platform's image.
     *
     * @param repository the multi-arch image's repository (no tag, no digest)
     * @param tags the list's tags (at least one for the suffix namings)
     */
    public List<ImageReference> references(ImageReference repository, List<String> tags, Platform platform) {
        ImageReference repo = repository.withoutTagOrDigest();
        String arch = platform.dockerLibraryArch();
        List<ImageReference> refs = new ArrayList<>();
        switch (this) {
            case DIGEST -> refs.add(repo.withTag(temporaryTag(arch)));
            case REPO_SUFFIX -> {
                requireTags(tags);
                ImageReference perArch = repo.withRepository(repo.repository() + "-" + arch);
                for (String tag : tags) {
                    refs.add(perArch.withTag(tag));
                }
            }
            case TAG_SUFFIX -> {
                requireTags(tags);
                for (String tag : tags) {
                    String t = tag + "-" + arch;
                    if (t.length() > 128) {
                        throw new InvalidInputException(
                                "tag '" + t + "' is longer than 128 characters: shorten tag '" + tag + "'");
                    }
                    refs.add(repo.withTag(t));
                }
            }
            default -> throw new IllegalStateException(name());
        }
        return List.copyOf(refs);
    }

    private void requireTags(List<String> tags) {
        if (tags == null || tags.isEmpty()) {
            throw new InvalidInputException(
                    "naming " + cliName() + " needs at least one tag: give --tag, e.g. --tag 1.0");
        }
    }

    /** Whether {@code tag} has the shape of a temporary tag that {@link #DIGEST} naming pushes. */
    public static boolean isTemporaryTag(String tag) {
        return TEMPORARY_TAG.matcher(tag).matches();
    }

    private static final java.util.regex.Pattern TEMPORARY_TAG =
            java.util.regex.Pattern.compile("build-[a-z0-9]+-[0-9a-f]{12}");

    static String temporaryTag(String arch) {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return "build-" + arch + "-" + HexFormat.of().formatHex(b);
    }
}
