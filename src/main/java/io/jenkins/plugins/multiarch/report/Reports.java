package io.jenkins.plugins.multiarch.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.manifest.Descriptor;
import io.jenkins.plugins.multiarch.manifest.RawManifest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.PublishResult.Amendment;
import io.jenkins.plugins.multiarch.publish.PublishResult.Amendment.Change;
import io.jenkins.plugins.multiarch.publish.PublishResult.Child;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Renders publish results and inspections: a human table, JSON, and {@code docker manifest inspect --verbose}. */
public final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {}

    // ---- publish -----------------------------------------------------------------------------

    /** A table for people: the list, each platform, each tag, the pull commands. */
    public static String publishTable(PublishResult r) {
        StringBuilder out = new StringBuilder();
        out.append(r.dryRun() ? "Dry run, nothing written: would publish " : "Published ")
                .append(r.listReference())
                .append('\n');
        out.append("  ")
                .append(kind(r.mediaType()))
                .append(", ")
                .append(r.images().size())
                .append(" platform")
                .append(r.images().size() == 1 ? "" : "s")
                .append(", ")
                .append(r.listSize())
                .append(" bytes, ")
                .append(r.requestCount())
                .append(" HTTP requests\n");
        amendmentSummary(r).ifPresent(line -> out.append("  ").append(line).append('\n'));
        out.append('\n');
        // Fits 120 columns: short digests (the full ones are in --json and on the plugin's page); IMAGE SIZE is
        // config plus layers, compressed, MANIFEST the manifest alone, so that neither is taken for the other.
        boolean osVersions = r.children().stream().anyMatch(c -> osVersion(c.platform()) != null);
        Amendment amendment = r.amendment();
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("PLATFORM"));
        if (amendment != null) {
            header.add("CHANGE");
        }
        if (osVersions) {
            header.add("OS VERSION");
        }
        header.addAll(List.of("DIGEST", "IMAGE SIZE", "MANIFEST", "TRANSFER", "SOURCE"));
        rows.add(header.toArray(new String[0]));
        for (Child c : r.children()) {
            List<String> row = new ArrayList<>();
            row.add(c.attestation() ? "attestation" : c.platform().toString());
            if (amendment != null) {
                row.add(change(amendment, c));
            }
            if (osVersions) {
                String v = c.attestation() ? null : osVersion(c.platform());
                row.add(v == null ? "-" : v);
            }
            row.add(Wording.shortDigest(c.digest().toString()));
            row.add(c.imageSize() < 0 ? "-" : Wording.size(c.imageSize()));
            row.add(Wording.size(c.size()));
            row.add(c.transfer().name().toLowerCase(Locale.ROOT));
            row.add(c.source().toString());
            rows.add(row.toArray(new String[0]));
        }
        table(out, rows);
        if (amendment != null) {
            for (Change c : amendment.of(Change.Kind.REMOVED)) {
                out.append("  removed ")
                        .append(c.platform())
                        .append(' ')
                        .append(Wording.shortDigest(c.digest().toString()))
                        .append(" and its attestations\n");
            }
        }
        out.append('\n');
        for (TagOutcome t : r.tags()) {
            out.append("  tag ")
                    .append(r.target().withTag(t.tag()))
                    .append(": ")
                    .append(t.status().name().toLowerCase(Locale.ROOT));
            if (t.previous() != null && t.status() == TagOutcome.Status.UPDATED) {
                out.append(" (was ").append(t.previous()).append(')');
            }
            out.append('\n');
        }
        for (Platform p : r.missingOptionalPlatforms()) {
            out.append("  missing optional platform, left out: ").append(p).append('\n');
        }
        for (String note : r.notes()) {
            out.append("  note: ").append(note).append('\n');
        }
        out.append("\nPull:\n");
        for (String command : pullCommands(r)) {
            out.append("  ").append(command).append('\n');
        }
        return out.toString();
    }

    /**
     * E.g. {@code amended reg/app:1 (sha256:3a32…): 1 kept, 1 added, 0 replaced, 1 removed}: the console's line and
     * the plugin page's, for a publish that amended a list.
     */
    public static Optional<String> amendmentSummary(PublishResult r) {
        return r.amended()
                .map(a -> "amended " + a.from() + " ("
                        + Wording.shortDigest(a.fromDigest().toString()) + "): " + amendmentCounts(a));
    }

    /** E.g. {@code 1 kept, 1 added, 0 replaced, 1 removed}. */
    private static String amendmentCounts(Amendment a) {
        List<String> parts = new ArrayList<>();
        for (Change.Kind kind : Change.Kind.values()) {
            parts.add(a.of(kind).size() + " " + kind.name().toLowerCase(Locale.ROOT));
        }
        return String.join(", ", parts);
    }

    /** A child's change: its own, or for an attestation its image's. */
    private static String change(Amendment a, Child c) {
        return a.changeOf(c.attestation() ? c.attestationFor() : c.digest())
                .map(ch -> ch.kind().name().toLowerCase(Locale.ROOT))
                .orElse("-");
    }

    /** {@code docker pull} commands: the list by digest, then each platform from the first tag. */
    public static List<String> pullCommands(PublishResult r) {
        List<String> commands = new ArrayList<>();
        commands.add("docker pull " + r.listReference());
        String firstTag = r.tags().isEmpty() ? null : r.tags().get(0).tag();
        ImageReference tagged =
                firstTag == null ? r.listReference() : r.target().withTag(firstTag);
        for (Child c : r.images()) {
            commands.add("docker pull --platform " + c.platform().normalize() + " " + tagged);
        }
        return commands;
    }

    public static String publishJson(PublishResult r) {
        return write(publishTree(r));
    }

    /** The JSON form of a publish result (also archived by the plugin). */
    public static ObjectNode publishTree(PublishResult r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("target", r.target().toString());
        root.put("reference", r.listReference().toString());
        root.put("digest", r.listDigest().toString());
        root.put("mediaType", r.mediaType().value());
        root.put("size", r.listSize());
        root.put("dryRun", r.dryRun());
        root.put("requestCount", r.requestCount());
        ArrayNode tags = root.putArray("tags");
        for (TagOutcome t : r.tags()) {
            ObjectNode n = tags.addObject();
            n.put("tag", t.tag());
            n.put("status", t.status().name().toLowerCase(Locale.ROOT));
            if (t.previous() != null) {
                n.put("previous", t.previous().toString());
            }
        }
        ArrayNode children = root.putArray("children");
        for (Child c : r.children()) {
            ObjectNode n = children.addObject();
            n.put("platform", c.platform() == null ? null : c.platform().toString());
            n.put("digest", c.digest().toString());
            n.put("mediaType", c.mediaType().value());
            if (c.platform() != null && c.platform().osVersion() != null) {
                n.put("osVersion", c.platform().osVersion());
            }
            n.put("size", c.size());
            if (c.imageSize() >= 0) {
                n.put("imageSize", c.imageSize());
            }
            n.put("source", c.source().toString());
            n.put("origin", c.origin());
            n.put("transfer", c.transfer().name().toLowerCase(Locale.ROOT));
            if (c.attestation()) {
                n.put("attestationFor", c.attestationFor().toString());
            }
            if (!c.annotations().isEmpty()) {
                ObjectNode a = n.putObject("annotations");
                c.annotations().forEach(a::put);
            }
            if (r.amendment() != null) {
                n.put("change", change(r.amendment(), c));
            }
        }
        r.amended().ifPresent(a -> root.set("amendment", amendmentTree(a)));
        ArrayNode missing = root.putArray("missingOptionalPlatforms");
        r.missingOptionalPlatforms().forEach(p -> missing.add(p.toString()));
        ArrayNode notes = root.putArray("notes");
        r.notes().forEach(notes::add);
        ArrayNode pulls = root.putArray("pullCommands");
        pullCommands(r).forEach(pulls::add);
        return root;
    }

    /** {@code from}, {@code fromDigest}, then per change kind the image entries: platform, digest (and replaced). */
    private static ObjectNode amendmentTree(Amendment a) {
        ObjectNode n = JSON.createObjectNode();
        n.put("from", a.from().toString());
        n.put("fromDigest", a.fromDigest().toString());
        for (Change.Kind kind : Change.Kind.values()) {
            ArrayNode entries = n.putArray(kind.name().toLowerCase(Locale.ROOT));
            for (Change c : a.of(kind)) {
                ObjectNode e = entries.addObject();
                e.put("platform", c.platform().toString());
                e.put("digest", c.digest().toString());
                if (c.replaced() != null) {
                    e.put("replaced", c.replaced().toString());
                }
            }
        }
        return n;
    }

    // ---- inspect ------------------------------------------------------------------------------

    public static String inspectTable(Inspection i) {
        StringBuilder out = new StringBuilder();
        out.append("Name:      ").append(i.reference()).append('\n');
        out.append("MediaType: ").append(i.mediaType().value()).append('\n');
        out.append("Digest:    ").append(i.digest()).append('\n');
        out.append('\n');
        // IMAGE SIZE is config plus layers, compressed, as in the publish table; the manifest's own size is in
        // --json and --raw.
        boolean osVersions =
                i.entries().stream().anyMatch(e -> !e.attestation() && osVersion(entryPlatform(e)) != null);
        List<String[]> rows = new ArrayList<>();
        rows.add(
                osVersions
                        ? new String[] {"PLATFORM", "OS VERSION", "DIGEST", "IMAGE SIZE", "MEDIA TYPE", "CONFIG SAYS"}
                        : new String[] {"PLATFORM", "DIGEST", "IMAGE SIZE", "MEDIA TYPE", "CONFIG SAYS"});
        for (Inspection.Entry e : i.entries()) {
            Descriptor d = e.descriptor();
            String listed = e.attestation()
                    ? "attestation"
                    : d.platform() != null
                            ? d.platform().toString()
                            : e.configPlatform() != null ? e.configPlatform().toString() : "-";
            String config = e.attestation() || e.configPlatform() == null
                    ? "-"
                    : e.consistent() ? e.configPlatform() + " ok" : e.configPlatform() + " MISMATCH";
            List<String> row = new ArrayList<>();
            row.add(listed);
            if (osVersions) {
                String v = e.attestation() ? null : osVersion(entryPlatform(e));
                row.add(v == null ? "-" : v);
            }
            row.add(d.digest().toString());
            row.add(Wording.size(Math.max(0, e.totalSize() - e.manifest().size())));
            row.add(kind(e.manifest().mediaType()));
            row.add(config);
            rows.add(row.toArray(new String[0]));
        }
        table(out, rows);
        if (!i.consistent()) {
            out.append("\nWARNING: at least one entry's config does not match the platform the list claims.\n");
        }
        return out.toString();
    }

    public static String inspectJson(Inspection i) {
        ObjectNode root = JSON.createObjectNode();
        root.put("reference", i.reference().toString());
        root.put("digest", i.digest().toString());
        root.put("mediaType", i.mediaType().value());
        root.put("consistent", i.consistent());
        ArrayNode entries = root.putArray("entries");
        for (Inspection.Entry e : i.entries()) {
            ObjectNode n = entries.addObject();
            n.set("descriptor", descriptorTree(e.descriptor()));
            n.put(
                    "configPlatform",
                    e.configPlatform() == null ? null : e.configPlatform().toString());
            if (e.configPlatform() != null && e.configPlatform().osVersion() != null) {
                n.put("configOsVersion", e.configPlatform().osVersion());
            }
            n.put("totalSize", e.totalSize());
            n.put("imageSize", Math.max(0, e.totalSize() - e.manifest().size()));
            n.put("attestation", e.attestation());
            n.put("consistent", e.consistent());
        }
        root.set("manifest", readTree(i.manifest()));
        return write(root);
    }

    /** The raw manifest, indented: what {@code docker manifest inspect} prints without --verbose. */
    public static String inspectRaw(Inspection i) {
        return write(readTree(i.manifest()));
    }

    /**
     * The shape {@code docker manifest inspect --verbose} prints (docker/cli {@code types.ImageManifest}):
     * for a list an array of {@code {Ref, Descriptor, SchemaV2Manifest|OCIManifest}}, for one image the object.
     */
    public static String inspectVerbose(Inspection i) {
        ImageReference named =
                i.reference().digest().isPresent() ? i.reference().withoutTagOrDigest() : i.reference();
        if (!i.isList()) {
            return write(verboseEntry(named, i.entries().get(0)));
        }
        ArrayNode array = JSON.createArrayNode();
        for (Inspection.Entry e : i.entries()) {
            array.add(verboseEntry(named, e));
        }
        return write(array);
    }

    private static ObjectNode verboseEntry(ImageReference named, Inspection.Entry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Ref", named.withDigest(e.descriptor().digest()).toString());
        n.set("Descriptor", descriptorTree(e.descriptor()));
        String key = MediaType.DOCKER_MANIFEST.equals(e.manifest().mediaType()) ? "SchemaV2Manifest" : "OCIManifest";
        n.set(key, readTree(e.manifest()));
        return n;
    }

    private static ObjectNode descriptorTree(Descriptor d) {
        ObjectNode n = JSON.createObjectNode();
        n.put("mediaType", d.mediaType().value());
        n.put("digest", d.digest().toString());
        n.put("size", d.size());
        if (d.annotations() != null && !d.annotations().isEmpty()) {
            ObjectNode a = n.putObject("annotations");
            d.annotations().forEach(a::put);
        }
        Platform p = d.platform();
        if (p != null) {
            ObjectNode pn = n.putObject("platform");
            pn.put("architecture", p.architecture());
            pn.put("os", p.os());
            if (p.osVersion() != null) {
                pn.put("os.version", p.osVersion());
            }
            if (p.osFeatures() != null && !p.osFeatures().isEmpty()) {
                ArrayNode f = pn.putArray("os.features");
                p.osFeatures().forEach(f::add);
            }
            if (p.variant() != null) {
                pn.put("variant", p.variant());
            }
        }
        return n;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static final Map<MediaType, String> KINDS = Map.of(
            MediaType.OCI_INDEX, "OCI image index",
            MediaType.DOCKER_MANIFEST_LIST, "Docker manifest list",
            MediaType.OCI_MANIFEST, "OCI manifest",
            MediaType.DOCKER_MANIFEST, "Docker v2 manifest");

    /** The platform a list entry claims, else the one its config has. */
    private static Platform entryPlatform(Inspection.Entry e) {
        return e.descriptor().platform() != null ? e.descriptor().platform() : e.configPlatform();
    }

    /** os.version (Windows images: the build, e.g. 10.0.17763.1234), or null. */
    private static String osVersion(Platform p) {
        return p == null || p.osVersion() == null || p.osVersion().isEmpty() ? null : p.osVersion();
    }

    static String kind(MediaType type) {
        return KINDS.getOrDefault(type, type.value());
    }

    private static JsonNode readTree(RawManifest raw) {
        try {
            return JSON.readTree(raw.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String write(JsonNode node) {
        try {
            return JSON.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void table(StringBuilder out, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < columns; c++) {
                line.append(row[c]);
                if (c < columns - 1) {
                    line.append(" ".repeat(widths[c] - row[c].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
