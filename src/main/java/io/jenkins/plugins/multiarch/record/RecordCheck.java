package io.jenkins.plugins.multiarch.record;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What the controller checks in a record an agent sends back, before it stores, archives or publishes anything
 * from it: an agent may be compromised, and the record decides which tags the controller later deletes (digest
 * naming), which repositories it publishes children from and where it sends the job's credentials. The record
 * must be of the requested image, its platform must obey {@link Platform#parse}'s rules and be the requested one,
 * and its pushed references must be exactly those the naming scheme gives for that image, tags and platform.
 * The registry read-back by the publisher still checks the content; this checks the names.
 */
public final class RecordCheck {

    /** A record is a few KiB; anything far larger is not one of ours. */
    public static final int MAX_RECORD_BYTES = 256 * 1024;

    /** The manifest size registries accept at most (distribution's limit): a larger one was never pushed. */
    private static final long MAX_MANIFEST_BYTES = 4L * 1024 * 1024;

    /** {@link Platform#parse}'s rule for each part, applied to os.version and os.features too. */
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.-]+");

    private RecordCheck() {}

    /**
     * What the controller asked the agent to build.
     *
     * @param image the step's image (a tag in it counts as the first tag, as BuildRequest does)
     * @param tags the step's tags
     * @param naming the naming the controller resolved
     * @param platform the step's platform, or null when the agent builds its own
     */
    public record Expected(ImageReference image, List<String> tags, Naming naming, Platform platform) {
        public Expected {
            if (image == null || naming == null) {
                throw new IllegalArgumentException("image and naming are required");
            }
            tags = listTags(image, tags);
            image = image.withoutTagOrDigest();
        }
    }

    /** Parses a record's JSON from {@code origin} (e.g. "agent arm64-1") and checks it; returns it once checked. */
    public static ArchImageRecord fromAgent(byte[] json, Expected expected, String origin) {
        if (json == null || json.length > MAX_RECORD_BYTES) {
            throw refused(origin, "is " + (json == null ? "missing" : json.length + " bytes, not a record"));
        }
        ArchImageRecord record;
        try {
            record = ArchImageRecord.fromJson(json, origin);
        } catch (InvalidInputException e) {
            throw refused(origin, "is not a record multiarch reads (" + e.getMessage() + ")");
        }
        return check(record, expected, origin);
    }

    /** Checks a parsed record; returns it. */
    public static ArchImageRecord check(ArchImageRecord record, Expected expected, String origin) {
        if (!record.image().equals(expected.image())) {
            throw refused(origin, "is of " + record.image() + ", but " + expected.image() + " was asked for");
        }
        Platform platform = parsedAsUsersWriteIt(record.platform(), origin, "platform");
        Platform requested = record.requestedPlatform();
        if (requested == null) {
            throw refused(origin, "does not say which platform it was asked for");
        }
        parsedAsUsersWriteIt(requested, origin, "requested platform");
        if (expected.platform() != null && !requested.matches(expected.platform())) {
            throw refused(origin, "was built for " + requested + ", but " + expected.platform() + " was asked for");
        }
        if (!platform.matches(requested)) {
            throw refused(origin, "names platform " + platform + " for an image asked for " + requested);
        }
        if (record.naming() != expected.naming()) {
            throw refused(
                    origin,
                    "uses naming " + record.naming().cliName() + ", but "
                            + expected.naming().cliName() + " was asked for");
        }
        if (!record.mediaType().isImageManifest()) {
            throw refused(origin, "names a " + record.mediaType().value() + ", not an image manifest");
        }
        checkPushed(record.pushed(), expected, requested, origin);
        checkTemporaryTag(record, requested, origin);
        checkProvenance(record.provenance(), origin);
        // The content is shown on the reviewer's pages: no larger than a builder writes it (ImageSummary.bounded).
        String tooLarge = record.content() == null ? null : record.content().outOfBounds();
        if (tooLarge != null) {
            throw refused(origin, "is larger than a builder writes one: " + tooLarge);
        }
        return record;
    }

    private static void checkPushed(List<ImageReference> pushed, Expected expected, Platform platform, String origin) {
        for (ImageReference ref : pushed) {
            if (ref.digest().isPresent() || ref.tag().isEmpty()) {
                throw refused(origin, "names " + ref + " as pushed, which is not a tag");
            }
        }
        if (expected.naming() == Naming.DIGEST) {
            // one random temporary tag in the target repository, for this platform's architecture
            String prefix = "build-" + platform.dockerLibraryArch() + "-";
            ImageReference ref = pushed.get(0);
            String tag = ref.tag().orElse("");
            if (pushed.size() != 1
                    || !ref.withoutTagOrDigest().equals(expected.image())
                    || !Naming.isTemporaryTag(tag)
                    || !tag.startsWith(prefix)) {
                throw refused(
                        origin,
                        "names " + pushed + " as pushed, but digest naming pushes one tag " + expected.image() + ":"
                                + prefix + "<12 hex digits>");
            }
            return;
        }
        List<ImageReference> wanted = expected.naming().references(expected.image(), expected.tags(), platform);
        if (!pushed.equals(wanted)) {
            throw refused(
                    origin,
                    "names " + pushed + " as pushed, but naming "
                            + expected.naming().cliName() + " gives " + wanted);
        }
    }

    /**
     * A temporary tag left by a suffix naming decides what the publish step deletes later: it must be a
     * {@code build-<arch>-<12 hex>} tag of this platform in the repository of the per-arch names, nothing else.
     */
    private static void checkTemporaryTag(ArchImageRecord record, Platform platform, String origin) {
        ImageReference tag = record.temporaryTag();
        if (tag == null) {
            return;
        }
        String prefix = "build-" + platform.dockerLibraryArch() + "-";
        ImageReference repository = record.pushed().get(0).withoutTagOrDigest();
        String t = tag.tag().orElse("");
        if (record.naming() == Naming.DIGEST
                || tag.digest().isPresent()
                || !tag.withoutTagOrDigest().equals(repository)
                || !Naming.isTemporaryTag(t)
                || !t.startsWith(prefix)) {
            throw refused(
                    origin,
                    "names " + tag + " as its temporary tag, but naming "
                            + record.naming().cliName()
                            + (record.naming() == Naming.DIGEST
                                    ? " leaves none besides the pushed one"
                                    : " leaves at most one, " + repository + ":" + prefix + "<12 hex digits>"));
        }
    }

    /**
     * A provenance entry becomes an index entry the controller publishes: an OCI image manifest named by its sha256
     * digest, of a real size, written in a mode multiarch writes. The publisher still reads it back from the
     * registry and checks that its layers are in-toto statements.
     */
    private static void checkProvenance(ArchImageRecord.Attestation provenance, String origin) {
        if (provenance == null) {
            return;
        }
        if (!Digest.SHA256.equals(provenance.digest().algorithm())) {
            throw refused(
                    origin,
                    "names a provenance manifest by a " + provenance.digest().algorithm()
                            + " digest; multiarch writes sha256 ones");
        }
        if (!MediaType.OCI_MANIFEST.equals(provenance.mediaType())) {
            throw refused(
                    origin,
                    "names a provenance manifest of type "
                            + provenance.mediaType().value() + "; multiarch writes " + MediaType.OCI_MANIFEST.value());
        }
        if (provenance.size() <= 0 || provenance.size() > MAX_MANIFEST_BYTES) {
            throw refused(origin, "names a provenance manifest of " + provenance.size() + " bytes");
        }
        if (!"min".equals(provenance.mode()) && !"max".equals(provenance.mode())) {
            throw refused(origin, "names a provenance mode that is not min or max");
        }
    }

    /** The platform as {@link Platform#parse} would give it, with os.version and os.features held to its rule. */
    private static Platform parsedAsUsersWriteIt(Platform p, String origin, String what) {
        Platform parsed;
        try {
            parsed = Platform.parse(p.toString());
        } catch (InvalidInputException e) {
            throw refused(origin, "has a " + what + " that is not a platform (" + e.getMessage() + ")");
        }
        if (!parsed.equals(p.withoutOsDetails())) {
            throw refused(origin, "has a " + what + " that is not a platform ('" + p + "')");
        }
        List<String> details = new ArrayList<>(p.osFeatures());
        if (p.osVersion() != null) {
            details.add(p.osVersion());
        }
        for (String d : details) {
            if (!PART.matcher(d).matches()) {
                throw refused(origin, "has a " + what + " whose os.version or os.features are not plain words");
            }
        }
        return p;
    }

    /** The tags a build pushes for: the image's own tag first, then the given ones, each once (as BuildRequest). */
    static List<String> listTags(ImageReference image, List<String> tags) {
        List<String> all = new ArrayList<>(tags == null ? List.of() : tags);
        image.tag().filter(t -> !all.contains(t)).ifPresent(t -> all.add(0, t));
        return List.copyOf(new LinkedHashSet<>(all));
    }

    private static VerificationException refused(String origin, String what) {
        return new VerificationException("the record " + origin + " sent back " + what + "; it was not stored, "
                + "archived or published: check that agent (its multiarch plugin code or its workspace may have been "
                + "tampered with) and build again");
    }
}
