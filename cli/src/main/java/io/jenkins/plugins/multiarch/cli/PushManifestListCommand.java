package io.jenkins.plugins.multiarch.cli;

import io.jenkins.plugins.multiarch.KeyValuePairs;
import io.jenkins.plugins.multiarch.flow.PublishFromRecords;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.KnownPlatforms;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
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
            // each example line fits 80 columns, so that picocli never wraps inside one
            "Examples:",
            "  multiarch push-manifest-list \\",
            "    --image 127.0.0.1:5000/onap/py-app --tag 1.0 --tag latest \\",
            "    --source 127.0.0.1:5000/onap/py-app-amd64:1.0=linux/amd64 \\",
            "    --source 127.0.0.1:5000/onap/py-app-arm64v8:1.0=linux/arm64 \\",
            "    --insecure-registry 127.0.0.1:5000",
            "  multiarch push-manifest-list \\",
            "    --image 127.0.0.1:5000/demo/offline --tag 1.0 \\",
            "    --records records --insecure-registry 127.0.0.1:5000"
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
        PublishFromRecords.Request.Builder request = PublishFromRecords.request()
                .target(target)
                .tags(tags)
                .format(ListFormat.parse(format))
                .annotations(KeyValuePairs.parse(
                        "--annotation", annotations, "org.opencontainers.image.source=https://example.org/repo"))
                .requirePlatforms(platforms("--require", required))
                .optionalPlatforms(platforms("--optional", optional))
                .dryRun(dryRun);
        List<SourceSpec> specs = new ArrayList<>();
        for (String s : sources) {
            specs.add(SourceSpec.parse(s));
        }
        request.sources(specs);
        if (records != null) {
            RecordStore.Selection selection = RecordStore.select(records, target);
            selection
                    .otherImages()
                    .forEach(f -> registry.listener().info("--records: left out " + f + ": another image"));
            for (int i = 0; i < selection.records().size(); i++) {
                request.record(
                        selection.records().get(i),
                        "record " + selection.files().get(i));
            }
        }
        RegistryClient client = registry.client(target);
        // the one records-to-publish path: required platforms, publish, digest naming's temporary tags removed
        PublishResult result;
        try (WaitNotice waits = registry.showWaits(target.registry())) {
            result = new PublishFromRecords(client, registry.listener()).publish(request.build());
        }
        RegistryOptions.print(System.out, json ? Reports.publishJson(result) : Reports.publishTable(result));
        return 0;
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
