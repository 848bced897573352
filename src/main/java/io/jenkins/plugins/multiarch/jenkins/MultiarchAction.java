package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.BulkChange;
import hudson.EnvVars;
import hudson.model.Api;
import hudson.model.EnvironmentContributingAction;
import hudson.model.Run;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.ImageSummary;
import io.jenkins.plugins.multiarch.report.ImageChanges;
import io.jenkins.plugins.multiarch.report.Reports;
import io.jenkins.plugins.multiarch.report.Wording;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import jenkins.model.RunAction2;
import org.kohsuke.stapler.export.Exported;
import org.kohsuke.stapler.export.ExportedBean;

/**
 * The build's multi-arch images, for reviewers (summary on the build page, detail page at
 * {@code multiarch/}) and for {@code pushManifestList}, which publishes what {@code buildArchImage}
 * recorded here. Holds no secret: records carry build-arg names only, never values or passwords.
 *
 * <p>Parallel branches update it under {@code synchronized (run)} with a {@link BulkChange}, as
 * docker-workflow's ImageAction does, so that concurrent updates are neither lost nor half-saved.
 *
 * <p>In the remote API ({@code /job/X/N/api/json}, and {@code /job/X/N/multiarch/api/json}) for deployment
 * jobs and dashboards: each image's list digest, reference, media type and tags, and each platform's digest.
 * The visibilities let the whole tree show at the build's default depth: the action's properties are at
 * level 2 of a build's API, an image's at 3, its builds' and publication's at 4, a list entry's and a
 * tag's at 5 (core's CauseAction and ParametersAction step their visibilities the same way).
 */
@ExportedBean
public final class MultiarchAction implements RunAction2, EnvironmentContributingAction {

    /** Exported for later steps (signing, deployment): the last published list. */
    public static final String ENV_LIST_DIGEST = "MULTIARCH_LIST_DIGEST";

    public static final String ENV_LIST_REFERENCE = "MULTIARCH_LIST_REFERENCE";

    private final List<ImageEntry> images = new ArrayList<>();
    private transient Run<?, ?> run;

    MultiarchAction() {}

    // ---- updates ------------------------------------------------------------------------------

    /** Adds (or replaces, on a re-run of the same platform) one platform's build. */
    static void recordBuild(Run<?, ?> run, ArchImageRecord record, String artifactPath, String agent)
            throws IOException {
        PlatformBuild build = new PlatformBuild(record, artifactPath, agent);
        update(run, action -> {
            ImageEntry image = action.entry(record.image().toString(), true);
            image.builds.removeIf(b -> b.platform.equals(build.platform));
            image.builds.add(build);
            image.builds.sort((a, b) -> a.platform.compareTo(b.platform));
        });
    }

    /**
     * Records a publish, with the temporary tags the registry could not delete (distribution 2.8 deletes a tag only
     * with its image): the detail page names them, as the console did.
     */
    static void recordPublish(Run<?, ?> run, PublishResult result, List<ImageReference> temporaryTagsLeft)
            throws IOException {
        Publication publication = new Publication(result, temporaryTagsLeft);
        // Builds are recorded under the bare repository (records drop the tag): a target given with a tag
        // (image: 'reg/app:1.0') must land in the same entry.
        String key = result.target().withoutTagOrDigest().toString();
        update(run, action -> {
            ImageEntry image = action.entry(key, true);
            image.publication = publication;
            for (PlatformBuild b : image.builds) {
                b.verified = result.images().stream()
                        .anyMatch(c -> c.digest().toString().equals(b.digest)
                                && c.platform().toString().equals(b.platform));
            }
        });
    }

    private interface Update {
        void apply(MultiarchAction action);
    }

    private static void update(Run<?, ?> run, Update update) throws IOException {
        synchronized (run) {
            BulkChange bc = new BulkChange(run);
            try {
                MultiarchAction action = run.getAction(MultiarchAction.class);
                if (action == null) {
                    action = new MultiarchAction();
                    run.addAction(action);
                }
                synchronized (action) {
                    update.apply(action);
                }
                bc.commit();
            } finally {
                bc.abort();
            }
        }
    }

    private ImageEntry entry(String image, boolean create) {
        for (ImageEntry e : images) {
            if (e.image.equals(image)) {
                return e;
            }
        }
        if (!create) {
            return null;
        }
        ImageEntry e = new ImageEntry(image);
        images.add(e);
        return e;
    }

    // ---- reading --------------------------------------------------------------------------------

    @Exported(visibility = 2)
    public synchronized List<ImageEntry> getImages() {
        return Collections.unmodifiableList(new ArrayList<>(images));
    }

    /** This run's records of one image (what pushManifestList publishes by default). */
    synchronized List<ArchImageRecord> recordsOf(ImageReference image) {
        ImageEntry e = entry(image.withoutTagOrDigest().toString(), false);
        List<ArchImageRecord> out = new ArrayList<>();
        if (e != null) {
            for (PlatformBuild b : e.builds) {
                out.add(ArchImageRecord.fromJson(b.recordJson.getBytes(StandardCharsets.UTF_8), b.recordPath));
            }
        }
        return out;
    }

    /** Per platform of this image, what changed against the previous successful build. */
    public List<Change> changesOf(ImageEntry image) {
        Run<?, ?> previous = run == null ? null : run.getPreviousSuccessfulBuild();
        ImageEntry before = null;
        if (previous != null) {
            MultiarchAction a = previous.getAction(MultiarchAction.class);
            if (a != null) {
                synchronized (a) {
                    before = a.entry(image.image, false);
                }
            }
        }
        List<Change> changes = new ArrayList<>();
        for (PlatformBuild now : image.getBuilds()) {
            PlatformBuild then = before == null ? null : before.build(now.platform);
            changes.add(
                    new Change(now.platform, then == null ? null : then.digest, now.digest, partsChanged(then, now)));
        }
        if (before != null) {
            for (PlatformBuild then : before.getBuilds()) {
                if (image.build(then.platform) == null) {
                    changes.add(new Change(then.platform, then.digest, null, List.of()));
                }
            }
        }
        return changes;
    }

    /**
     * ImageChanges' lines (base image, layers, entrypoint, cmd, env names, labels) between two builds of a platform
     * whose digests differ; empty when either record does not say what its image holds (schema 1.0).
     */
    private static List<String> partsChanged(@CheckForNull PlatformBuild then, PlatformBuild now) {
        if (then == null || Objects.equals(then.digest, now.digest)) {
            return List.of();
        }
        ImageChanges.Content before = then.content();
        ImageChanges.Content after = now.content();
        return before == null || after == null ? List.of() : ImageChanges.between(before, after);
    }

    /**
     * The build page's line per platform: platform, short digest, native or emulated, the image size where the
     * published list gives it, and what changed against the previous successful build (platforms no longer built
     * too).
     */
    public List<PlatformLine> summaryOf(ImageEntry image) {
        List<PlatformLine> lines = new ArrayList<>();
        Publication pub = image.getPublication();
        for (Change change : changesOf(image)) {
            PlatformBuild b = change.getAfter() == null ? null : image.build(change.getPlatform());
            Child child = pub == null || b == null ? null : pub.child(b.platform, b.digest);
            lines.add(new PlatformLine(change.getPlatform(), b, child, change));
        }
        return lines;
    }

    public @CheckForNull Run<?, ?> getPreviousSuccessfulBuild() {
        return run == null ? null : run.getPreviousSuccessfulBuild();
    }

    public Run<?, ?> getRun() {
        return run;
    }

    /** {@code multiarch/api/json}: this action alone, as core's WhoAmI serves itself. */
    public Api getApi() {
        return new Api(this);
    }

    // ---- Action ---------------------------------------------------------------------------------

    /** The action's own symbol (images/symbols/multiarch-images.svg in this plugin), not Build Artifacts' cube. */
    public static final String ICON = "symbol-multiarch-images plugin-multiarch-images";

    @Override
    public String getIconFileName() {
        return ICON;
    }

    /** For the views: {@code l:icon src} and {@code t:summary icon}. */
    public String getIcon() {
        return ICON;
    }

    @Override
    public String getDisplayName() {
        return Messages.MultiarchAction_DisplayName();
    }

    @Override
    public String getUrlName() {
        return "multiarch";
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public synchronized void buildEnvironment(@NonNull Run<?, ?> run, @NonNull EnvVars env) {
        Publication last = null;
        for (ImageEntry e : images) {
            if (e.publication != null && !e.publication.dryRun) {
                last = e.publication;
            }
        }
        if (last != null) {
            env.put(ENV_LIST_DIGEST, last.listDigest);
            env.put(ENV_LIST_REFERENCE, last.listReference);
        }
    }

    // ---- data (stored in build.xml by XStream: plain fields, no core types) ----------------------

    /** One multi-arch image of this build. */
    @ExportedBean(defaultVisibility = 3)
    public static final class ImageEntry implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String image;
        // Copy-on-write: the build page iterates it while parallel branches add their platforms.
        private final List<PlatformBuild> builds = new CopyOnWriteArrayList<>();
        private Publication publication;

        ImageEntry(String image) {
            this.image = image;
        }

        @Exported
        public String getImage() {
            return image;
        }

        @Exported
        public List<PlatformBuild> getBuilds() {
            return Collections.unmodifiableList(builds);
        }

        /** Whether any platform's build attached provenance (the detail page then lists it). */
        public boolean isWithProvenance() {
            return builds.stream().anyMatch(b -> b.provenance != null);
        }

        /** null until the image is published. */
        @Exported
        public @CheckForNull Publication getPublication() {
            return publication;
        }

        /** The summary's line for an image built but not published yet, e.g. "not published yet, 1 platform built". */
        public String getNotPublishedText() {
            return Messages.MultiarchAction_NotPublished(builds.size());
        }

        /** "tags 1.0, latest": the published tags as words, empty until published. */
        public String getTagsText() {
            if (publication == null || publication.getPublishedTags().isEmpty()) {
                return "";
            }
            List<String> names = new ArrayList<>();
            for (PublishedTag t : publication.getPublishedTags()) {
                names.add(t.getTag());
            }
            return Messages.MultiarchAction_Tags(Wording.list(names));
        }

        @CheckForNull
        PlatformBuild build(String platform) {
            return builds.stream()
                    .filter(b -> b.platform.equals(platform))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** One platform's build, from its record. */
    @ExportedBean(defaultVisibility = 4)
    public static final class PlatformBuild implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String platform;
        private final String digest;
        private final String reference;
        private final String mediaType;
        private final long size;
        private final String agent;
        private final String builder;
        private final long durationMillis;
        private final boolean emulated;
        private final String recordPath;
        private final String recordJson;
        // Absent from build.xml files written before provenance: null, as for a build with provenance off.
        private String provenance;
        private Boolean verified;

        PlatformBuild(ArchImageRecord r, String recordPath, String agent) {
            this.platform = r.platform().toString();
            this.digest = r.digest().toString();
            this.reference = r.reference().toString();
            this.mediaType = r.mediaType().value();
            this.size = r.size();
            this.agent = agent != null ? agent : r.agent() != null ? r.agent() : r.host();
            this.builder = r.builder() + (r.builderVersion() == null ? "" : " " + r.builderVersion());
            this.durationMillis = r.duration().toMillis();
            this.emulated = r.emulated();
            this.recordPath = recordPath;
            this.recordJson = new String(r.toJson(), StandardCharsets.UTF_8);
            this.provenance = r.provenanceDigest().map(Object::toString).orElse(null);
        }

        /** The digest of the provenance attestation pushed beside the image; null when built with provenance off. */
        @Exported
        public @CheckForNull String getProvenance() {
            return provenance;
        }

        /** The provenance attestation by digest, in the image's repository: what a verifier fetches. */
        public @CheckForNull String getProvenanceReference() {
            if (provenance == null) {
                return null;
            }
            return ImageReference.parse(reference).withoutTagOrDigest() + "@" + provenance;
        }

        public String getProvenanceShortDigest() {
            return provenance == null ? "" : Wording.shortDigest(provenance);
        }

        @Exported
        public String getPlatform() {
            return platform;
        }

        @Exported
        public String getDigest() {
            return digest;
        }

        /** What the image holds, from the stored record; null when the record (schema 1.0) does not say. */
        @CheckForNull
        ImageChanges.Content content() {
            if (recordJson == null) {
                return null;
            }
            ArchImageRecord r;
            try {
                r = ArchImageRecord.fromJson(recordJson.getBytes(StandardCharsets.UTF_8), recordPath);
            } catch (InvalidInputException unreadable) {
                return null;
            }
            ImageSummary c = r.content();
            return c == null
                    ? null
                    : ImageChanges.Content.ofRecorded(
                            c.baseName(),
                            c.baseDigest(),
                            c.layerCount(),
                            c.layersSize(),
                            c.entrypoint(),
                            c.cmd(),
                            c.envNames(),
                            c.labels());
        }

        /** The pushed image by digest. */
        @Exported
        public String getReference() {
            return reference;
        }

        @Exported
        public String getMediaType() {
            return mediaType;
        }

        /** The manifest's size in bytes (the record's {@code size}), not the image's. */
        public long getSize() {
            return size;
        }

        /** "758 B": the manifest's size with its unit, for a column labelled as the manifest's. */
        public String getManifestSizeText() {
            return Wording.size(size);
        }

        /** "sha256:0123456789ab": for tables that must fit the page; the full digest is on hover and copied. */
        public String getShortDigest() {
            return Wording.shortDigest(digest);
        }

        /** "native" or "emulated". */
        public String getModeText() {
            return emulated ? Messages.MultiarchAction_Emulated() : Messages.MultiarchAction_Native();
        }

        public String getAgent() {
            return agent;
        }

        public String getBuilder() {
            return builder;
        }

        public long getDurationMillis() {
            return durationMillis;
        }

        public String getDuration() {
            return hudson.Util.getTimeSpanString(durationMillis);
        }

        @Exported
        public boolean isEmulated() {
            return emulated;
        }

        /** Path of the archived record, relative to the build's artifacts. */
        public String getRecordPath() {
            return recordPath;
        }

        /** null until published; then whether the published list holds exactly this digest for this platform. */
        @Exported
        public @CheckForNull Boolean getVerified() {
            return verified;
        }
    }

    /** The published list. */
    @ExportedBean(defaultVisibility = 4)
    public static final class Publication implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String listDigest;
        private final String listReference;
        private final String mediaType;
        // Display form "reference (status)", as stored by every version; publishedTags holds the same tags as values.
        private final List<String> tags = new ArrayList<>();
        // Absent from build.xml files written before it existed: readResolve rebuilds it from tags.
        private List<PublishedTag> publishedTags = new ArrayList<>();
        private final List<String> pullCommands = new ArrayList<>();
        private final List<String> missingOptionalPlatforms = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        // Absent from build.xml files written before it existed: readResolve makes it empty.
        private List<String> temporaryTagsLeft = new ArrayList<>();
        // "amended REF (sha256:…): 1 kept, 1 added, 0 replaced, 1 removed" when the publish amended a list, else null
        private final String amendment;
        private final List<Child> children = new ArrayList<>();
        private final int requestCount;
        private final boolean dryRun;

        Publication(PublishResult r, List<ImageReference> temporaryTagsLeft) {
            temporaryTagsLeft.forEach(t -> this.temporaryTagsLeft.add(t.toString()));
            this.amendment = Reports.amendmentSummary(r).orElse(null);
            this.listDigest = r.listDigest().toString();
            this.listReference = r.listReference().toString();
            this.mediaType = r.mediaType().value();
            for (PublishResult.TagOutcome t : r.tags()) {
                String reference = r.target().withTag(t.tag()).toString();
                String status = t.status().name().toLowerCase(Locale.ROOT);
                tags.add(reference + " (" + status + ")");
                publishedTags.add(new PublishedTag(
                        t.tag(),
                        reference,
                        status,
                        t.previous() == null ? null : t.previous().toString()));
            }
            pullCommands.addAll(Reports.pullCommands(r));
            r.missingOptionalPlatforms().forEach(p -> missingOptionalPlatforms.add(p.toString()));
            notes.addAll(r.notes());
            for (PublishResult.Child c : r.images()) {
                children.add(new Child(
                        c.platform().toString(),
                        c.digest().toString(),
                        c.size(),
                        c.source().toString(),
                        c.imageSize()));
            }
            this.requestCount = r.requestCount();
            this.dryRun = r.dryRun();
        }

        private Object readResolve() {
            if (temporaryTagsLeft == null) {
                temporaryTagsLeft = new ArrayList<>();
            }
            if (publishedTags == null) {
                publishedTags = new ArrayList<>();
                for (String display : tags) {
                    publishedTags.add(PublishedTag.fromDisplay(display));
                }
            }
            return this;
        }

        @Exported
        public String getListDigest() {
            return listDigest;
        }

        /** The list by digest: what signing and deployment should use. */
        @Exported
        public String getListReference() {
            return listReference;
        }

        @Exported
        public String getMediaType() {
            return mediaType;
        }

        /** Each tag as "reference (status)", for the page. */
        public List<String> getTags() {
            return Collections.unmodifiableList(tags);
        }

        /** Each tag as a value: what the remote API exports as {@code tags}. */
        @Exported(name = "tags")
        public List<PublishedTag> getPublishedTags() {
            return Collections.unmodifiableList(publishedTags);
        }

        public List<String> getPullCommands() {
            return Collections.unmodifiableList(pullCommands);
        }

        /** The pull commands, one per line, for the page's {@code <pre>} (and a copy button). */
        public String getPullCommandsText() {
            return Wording.lines(pullCommands);
        }

        @Exported
        public List<String> getMissingOptionalPlatforms() {
            return Collections.unmodifiableList(missingOptionalPlatforms);
        }

        /** "linux/s390x, linux/ppc64le": the missing optional platforms as words, not as a Java list. */
        public String getMissingOptionalPlatformsText() {
            return Wording.list(missingOptionalPlatforms);
        }

        public List<String> getNotes() {
            return Collections.unmodifiableList(notes);
        }

        /** What an amending publish did to the list it started from, or null. */
        @Exported
        public @CheckForNull String getAmendment() {
            return amendment;
        }

        /** Temporary tags still in the registry after the publish (it cannot delete a tag alone). */
        @Exported
        public List<String> getTemporaryTagsLeft() {
            return Collections.unmodifiableList(temporaryTagsLeft);
        }

        /** "Left 2 temporary tags in place: ... . This registry cannot delete a tag without its image", or empty. */
        public String getTemporaryTagsText() {
            if (temporaryTagsLeft.isEmpty()) {
                return "";
            }
            return Messages.MultiarchAction_TemporaryTagsLeft(
                    temporaryTagsLeft.size(), Wording.list(temporaryTagsLeft));
        }

        @Exported
        public List<Child> getChildren() {
            return Collections.unmodifiableList(children);
        }

        public int getRequestCount() {
            return requestCount;
        }

        public String getShortListDigest() {
            return Wording.shortDigest(listDigest);
        }

        /** Each tag for the page: reference, what the publish did ("moved from OLD to NEW"), where known. */
        public List<TagRow> getTagRows() {
            List<TagRow> rows = new ArrayList<>();
            for (PublishedTag t : publishedTags) {
                rows.add(new TagRow(t, listDigest));
            }
            return rows;
        }

        @CheckForNull
        Child child(String platform, String digest) {
            for (Child c : children) {
                if (c.platform.equals(platform) && c.digest.equals(digest)) {
                    return c;
                }
            }
            return null;
        }

        @Exported
        public boolean isDryRun() {
            return dryRun;
        }

        /** The summary's word before the list digest: "list", or "dry run, list". */
        public String getListLabel() {
            return dryRun ? Messages.MultiarchAction_DryRunList() : Messages.MultiarchAction_List();
        }

        /** The summary's words after the list digest, e.g. "(1 platform; missing optional platform: linux/s390x)". */
        public String getPlatformsText() {
            if (missingOptionalPlatforms.isEmpty()) {
                return Messages.MultiarchAction_ListPlatforms(children.size());
            }
            return Messages.MultiarchAction_ListPlatformsMissing(
                    children.size(), missingOptionalPlatforms.size(), Wording.list(missingOptionalPlatforms));
        }
    }

    /** One tag of the published list and what the publish did to it. */
    @ExportedBean(defaultVisibility = 5)
    public static final class PublishedTag implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String tag;
        private final String reference;
        private final String status;
        private final String previous;

        PublishedTag(String tag, String reference, String status, String previous) {
            this.tag = tag;
            this.reference = reference;
            this.status = status;
            this.previous = previous;
        }

        /**
         * From the display form "registry/repo:tag (status)" that builds stored before this class existed;
         * those did not keep the previous digest.
         */
        static PublishedTag fromDisplay(String display) {
            int open = display.lastIndexOf(" (");
            boolean hasStatus = open >= 0 && display.endsWith(")");
            String reference = hasStatus ? display.substring(0, open) : display;
            String status = hasStatus ? display.substring(open + 2, display.length() - 1) : "";
            int colon = reference.lastIndexOf(':');
            String tag = colon > reference.lastIndexOf('/') ? reference.substring(colon + 1) : "";
            return new PublishedTag(tag, reference, status, null);
        }

        @Exported
        public String getTag() {
            return tag;
        }

        /** registry/repository:tag */
        @Exported
        public String getReference() {
            return reference;
        }

        /** created, updated, unchanged or planned (dry run). */
        @Exported
        public String getStatus() {
            return status;
        }

        /** The digest the tag pointed at before this publish, where known. */
        @Exported
        public @CheckForNull String getPrevious() {
            return previous;
        }
    }

    /** One entry of the published list. */
    @ExportedBean(defaultVisibility = 5)
    public static final class Child implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String platform;
        private final String digest;
        private final long size;
        private final String source;
        // Config plus layers, compressed. Boxed: absent (null) in build.xml files written before it existed and
        // where the publisher did not know it.
        private final Long imageSize;

        Child(String platform, String digest, long size, String source, long imageSize) {
            this.platform = platform;
            this.digest = digest;
            this.size = size;
            this.source = source;
            this.imageSize = imageSize < 0 ? null : imageSize;
        }

        @Exported
        public String getPlatform() {
            return platform;
        }

        @Exported
        public String getDigest() {
            return digest;
        }

        public long getSize() {
            return size;
        }

        public String getSource() {
            return source;
        }

        /** "sha256:0123456789ab". */
        public String getShortDigest() {
            return Wording.shortDigest(digest);
        }

        /** The manifest's size with its unit, for a column labelled as the manifest's. */
        public String getManifestSizeText() {
            return Wording.size(size);
        }

        /** The image's size: config plus layers, compressed; -1 where not known (builds published before 1.x). */
        public long getImageSize() {
            return imageSize == null ? -1 : imageSize;
        }

        /** "12.3 MiB", or "unknown". */
        public String getImageSizeText() {
            return Wording.size(getImageSize());
        }
    }

    /** A platform's digest now and in the previous successful build, and which parts of the image changed. */
    public static final class Change {
        private final String platform;
        private final String before;
        private final String after;
        private final List<String> parts;

        Change(String platform, String before, String after, List<String> parts) {
            this.platform = platform;
            this.before = before;
            this.after = after;
            this.parts = List.copyOf(parts);
        }

        /**
         * ImageChanges' lines, e.g. "layers: 3 (2.1 MiB) to 4 (2.3 MiB)", "env: added MODE" (names only); empty when
         * the digest did not change or a record does not say what its image holds.
         */
        public List<String> getParts() {
            return parts;
        }

        public String getPlatform() {
            return platform;
        }

        public @CheckForNull String getBefore() {
            return before;
        }

        public @CheckForNull String getAfter() {
            return after;
        }

        public String getShortBefore() {
            return Wording.shortDigest(before);
        }

        public String getShortAfter() {
            return Wording.shortDigest(after);
        }

        /**
         * What a reviewer reads: "new platform", "no longer built", "unchanged", "digest OLD to NEW" (short), followed
         * by what changed in the image when both records say ("digest OLD to NEW: layers: 3 (…) to 4 (…); env: …").
         */
        public String getText() {
            switch (getKind()) {
                case "added":
                    return Messages.MultiarchAction_ChangeAdded();
                case "removed":
                    return Messages.MultiarchAction_ChangeRemoved();
                case "unchanged":
                    return Messages.MultiarchAction_ChangeUnchanged();
                default:
                    return parts.isEmpty()
                            ? Messages.MultiarchAction_ChangeDigest(getShortBefore(), getShortAfter())
                            : Messages.MultiarchAction_ChangeDigestParts(
                                    getShortBefore(), getShortAfter(), String.join("; ", parts));
            }
        }

        /** added, removed, changed or unchanged. */
        public String getKind() {
            if (before == null) {
                return "added";
            }
            if (after == null) {
                return "removed";
            }
            return before.equals(after) ? "unchanged" : "changed";
        }
    }

    /** One tag as the detail page shows it (computed for the page, not stored). */
    public static final class TagRow {
        private final PublishedTag tag;
        private final String listDigest;

        TagRow(PublishedTag tag, String listDigest) {
            this.tag = tag;
            this.listDigest = listDigest;
        }

        public String getTag() {
            return tag.getTag();
        }

        public String getReference() {
            return tag.getReference();
        }

        public String getStatus() {
            return tag.getStatus();
        }

        public @CheckForNull String getPrevious() {
            return tag.getPrevious();
        }

        /** "new", "unchanged", "moved from sha256:3a32… to sha256:c99c…", "would be written (dry run)". */
        public String getText() {
            switch (tag.getStatus()) {
                case "created":
                    return Messages.MultiarchAction_TagCreated();
                case "unchanged":
                    return Messages.MultiarchAction_TagUnchanged();
                case "updated":
                    return tag.getPrevious() == null
                            ? Messages.MultiarchAction_TagMovedUnknown()
                            : Messages.MultiarchAction_TagMoved(
                                    Wording.shortDigest(tag.getPrevious()), Wording.shortDigest(listDigest));
                case "planned":
                    return Messages.MultiarchAction_TagPlanned();
                default:
                    return tag.getStatus();
            }
        }
    }

    /** One platform on the build page (computed for the page, not stored). */
    public static final class PlatformLine {
        private final String platform;
        private final PlatformBuild build;
        private final Child child;
        private final Change change;

        PlatformLine(String platform, @CheckForNull PlatformBuild build, @CheckForNull Child child, Change change) {
            this.platform = platform;
            this.build = build;
            this.child = child;
            this.change = change;
        }

        public String getPlatform() {
            return platform;
        }

        /** The full digest (hover, copy); empty for a platform no longer built. */
        public String getDigest() {
            return build == null ? "" : build.getDigest();
        }

        public String getShortDigest() {
            return build == null ? "" : build.getShortDigest();
        }

        /** "native" or "emulated"; empty for a platform no longer built. */
        public String getModeText() {
            return build == null ? "" : build.getModeText();
        }

        /** "12.3 MiB" once published; empty before (the record holds the manifest's size only). */
        public String getImageSizeText() {
            return child == null || child.getImageSize() < 0 ? "" : child.getImageSizeText();
        }

        public String getChangeText() {
            return change.getText();
        }

        /** The short digest of the platform's provenance attestation; empty when there is none. */
        public String getProvenanceShortDigest() {
            return build == null ? "" : build.getProvenanceShortDigest();
        }

        public String getChangeKind() {
            return change.getKind();
        }
    }
}
