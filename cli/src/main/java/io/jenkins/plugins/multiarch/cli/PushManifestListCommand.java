package io.jenkins.plugins.multiarch.cli;

import io.jenkins.plugins.multiarch.KeyValuePairs;
import io.jenkins.plugins.multiarch.copy.Copier;
import io.jenkins.plugins.multiarch.copy.CopyReport;
import io.jenkins.plugins.multiarch.copy.CopyRequest;
import io.jenkins.plugins.multiarch.copy.CopyResult;
import io.jenkins.plugins.multiarch.copy.CopyTarget;
import io.jenkins.plugins.multiarch.flow.PublishFromRecords;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.KnownPlatforms;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.report.Reports;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code multiarch push-manifest-list}: publish one verified list from per-platform images. */
@Command(
        name = "push-manifest-list",
        mixinStandardHelpOptions = true,
        // the options are listed below: a synopsis of all of them would wrap inside their labels
        abbreviateSynopsis = true,
        optionListHeading = "Options:%n",
        description = {
            "Publish one OCI image index or Docker manifest list under every --tag.",
            "Every source is resolved first and its platform read from its image config: a source that is "
                    + "not the platform it claims, a duplicate platform or a missing required platform fails before "
                    + "any tag moves. Sources in other repositories of the same registry are mounted into the target.",
            "With --from REF the list starts from the entries of the list (or single image) at REF, kept byte for "
                    + "byte with their attestations: --source adds platforms, --replace lets a source take the place "
                    + "of REF's entry for its platform, --remove drops one.",
            // each example line fits 80 columns, so that picocli never wraps inside one
            "Examples:",
            "  multiarch push-manifest-list \\",
            "    --image 127.0.0.1:5000/onap/py-app --tag 1.0 --tag latest \\",
            "    --source 127.0.0.1:5000/onap/py-app-amd64:1.0=linux/amd64 \\",
            "    --source 127.0.0.1:5000/onap/py-app-arm64v8:1.0=linux/arm64 \\",
            "    --insecure-registry 127.0.0.1:5000",
            "  multiarch push-manifest-list \\",
            "    --image 127.0.0.1:5000/demo/offline --tag 1.0 \\",
            "    --records records --insecure-registry 127.0.0.1:5000",
            "  multiarch push-manifest-list \\",
            "    --image 127.0.0.1:5000/onap/py-app --tag 1.1 \\",
            "    --from 127.0.0.1:5000/onap/py-app:1.0 \\",
            "    --source 127.0.0.1:5000/onap/py-app-s390x:1.1=linux/s390x \\",
            "    --remove linux/arm/v7 --insecure-registry 127.0.0.1:5000"
        })
public final class PushManifestListCommand implements Callable<Integer> {

    @Option(
            names = "--image",
            required = true,
            paramLabel = "REGISTRY/REPO",
            description = "Target repository without a tag (the tags are --tag's), e.g. registry.example/onap/py-app")
    String image;

    @Option(
            names = {"-t", "--tag"},
            paramLabel = "TAG",
            description = "Tag to publish (repeatable; at least one).")
    List<String> tags = new ArrayList<>();

    @Option(
            names = "--source",
            paramLabel = "REF[=PLATFORM]",
            description = "A per-platform image by tag or digest, optionally with the platform it must be "
                    + "(e.g. reg/app-arm64v8:1.0=linux/arm64). An index as source contributes its entries.")
    List<String> sources = new ArrayList<>();

    @Option(
            names = "--records",
            paramLabel = "DIR",
            description = "Use the build records (*.json) under the folder DIR as sources, as `multiarch build` "
                    + "writes them. Every recorded platform is required unless --require names the required ones "
                    + "or --optional leaves one out. After the publish, digest naming's temporary tags are deleted "
                    + "where the registry can delete a tag alone.")
    Path records;

    @Option(
            names = "--format",
            paramLabel = "oci|docker|auto",
            defaultValue = "auto",
            description =
                    "List type: oci, docker, or auto (Docker list when every child is Docker v2). Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "Index annotation (OCI only; repeatable).")
    List<String> annotations = new ArrayList<>();

    @Option(
            names = "--require",
            paramLabel = "PLATFORM",
            description = "Fail unless this platform is in the list (repeatable).")
    List<String> required = new ArrayList<>();

    @Option(
            names = "--optional",
            paramLabel = "PLATFORM",
            description = "Leave this platform out, with a warning, when its source is missing (repeatable).")
    List<String> optional = new ArrayList<>();

    @Option(
            names = "--from",
            paramLabel = "REF",
            description = "Amend the list (or single image) at REF, by tag or digest: its entries, their annotations "
                    + "and attestations are kept byte for byte; --source adds platforms. A missing REF fails (exit 3).")
    String from;

    @Option(
            names = "--replace",
            description = "With --from: a --source of a platform REF has replaces REF's entry and its attestations "
                    + "(without it, the platform is given twice and refused).")
    boolean replace;

    @Option(
            names = "--remove",
            paramLabel = "PLATFORM",
            description = "With --from: drop REF's entry for this platform and its attestations (repeatable).")
    List<String> remove = new ArrayList<>();

    @Option(
            names = "--also-to",
            paramLabel = "REGISTRY/REPO[:TAG]",
            description = "After the publish, copy the list with every child, blob and attestation to this "
                    + "repository too, digests unchanged, under the same tags (or TAG): only once everything is "
                    + "there does the list get a tag. Repeatable; each destination succeeds or fails on its own.")
    List<String> alsoTo = new ArrayList<>();

    @Option(names = "--dry-run", description = "Resolve and verify everything, print the list, write nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    @Override
    public Integer call() {
        // a tag in --image would silently be published too: the tags are --tag's
        ImageReference target = ImageReference.parseRepository("--image", image);
        PublishRequest.Builder request = PublishRequest.builder()
                .target(target)
                .tags(tags)
                .format(ListFormat.parse(format))
                .annotations(KeyValuePairs.parse(
                        "--annotation", annotations, "org.opencontainers.image.source=https://example.org/repo"))
                .requirePlatforms(platforms("--require", required))
                .optionalPlatforms(platforms("--optional", optional))
                .from(from == null ? null : PublishRequest.parseFrom(from))
                .replace(replace)
                .removePlatforms(platforms("--remove", remove))
                .dryRun(dryRun);
        for (String s : sources) {
            request.source(SourceSpec.parse(s));
        }
        List<PublishFromRecords.Recorded> recorded = new ArrayList<>();
        if (records != null) {
            RecordStore.Selection selection = RecordStore.select(records, target);
            selection
                    .otherImages()
                    .forEach(f -> registry.listener().info("--records: left out " + f + ": another image"));
            for (int i = 0; i < selection.records().size(); i++) {
                recorded.add(new PublishFromRecords.Recorded(
                        selection.records().get(i),
                        "record " + selection.files().get(i)));
            }
        }
        // the destinations are checked before anything is published: a typo must not leave a half-done release
        List<ImageReference> mirrors = new ArrayList<>();
        for (String destination : alsoTo) {
            CopyTarget.parse("--also-to", destination, List.of()); // refuses a digest, names the fix
            mirrors.add(ImageReference.parse(destination));
        }
        RegistryClient client = registry.client(target);
        // the one records-to-publish path: required platforms, publish, digest naming's temporary tags removed
        PublishResult result;
        try (WaitNotice waits = registry.showWaits(target.registry())) {
            result = new PublishFromRecords(client, registry.listener())
                    .publish(recorded, request)
                    .result();
        }
        if (mirrors.isEmpty()) {
            RegistryOptions.print(System.out, json ? Reports.publishJson(result) : Reports.publishTable(result));
            return 0;
        }
        if (result.dryRun()) {
            registry.listener().info("--also-to: dry run, nothing copied to " + mirrors.size() + " destination(s)");
            RegistryOptions.print(System.out, json ? Reports.publishJson(result) : Reports.publishTable(result));
            return 0;
        }
        List<String> published =
                result.tags().stream().map(PublishResult.TagOutcome::tag).toList();
        CopyResult copies;
        try (WaitNotice waits = registry.showWaits(target.registry())) {
            copies = new Copier(client, registry.listener())
                    .copy(CopyRequest.afterPublish(target, result.listDigest(), published, mirrors));
        }
        if (json) {
            RegistryOptions.print(
                    System.out,
                    "{\"publish\":" + Reports.publishJson(result).strip() + ",\"alsoTo\":"
                            + CopyReport.json(copies).strip() + "}\n");
        } else {
            RegistryOptions.print(System.out, Reports.publishTable(result) + "\n" + CopyReport.text(copies));
        }
        return copies.exitCode();
    }

    /** Platforms as the user typed them: each known (a typo is bad input, exit 2), none twice. */
    private static List<Platform> platforms(String option, List<String> values) {
        List<Platform> out = new ArrayList<>();
        for (Platform p : Platform.parseDistinct(values)) {
            out.add(KnownPlatforms.require(option + " " + p, p));
        }
        return out;
    }
}
