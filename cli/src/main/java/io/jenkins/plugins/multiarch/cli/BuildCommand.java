package io.jenkins.plugins.multiarch.cli;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.KeyValuePairs;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.builder.BuildCache;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.builder.BuilderFactory;
import io.jenkins.plugins.multiarch.builder.BuilderOptions;
import io.jenkins.plugins.multiarch.builder.ImageBuilder;
import io.jenkins.plugins.multiarch.flow.MultiArchFlow;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.KnownPlatforms;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.provenance.ProvenanceMode;
import io.jenkins.plugins.multiarch.provenance.ProvenanceOptions;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.ImageSummary;
import io.jenkins.plugins.multiarch.record.RecordStore;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.report.ImageChanges;
import io.jenkins.plugins.multiarch.report.Reports;
import io.jenkins.plugins.multiarch.report.Wording;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code multiarch build}: build every platform, push, record, then publish the list and print the report. */
@Command(
        name = "build",
        mixinStandardHelpOptions = true,
        // the options are listed below: a synopsis of all of them would wrap inside their labels
        abbreviateSynopsis = true,
        optionListHeading = "Options:%n",
        description = {
            "Build CONTEXT once per --platform (natively, or under qemu with --allow-emulation), push each image, "
                    + "write a record per platform, then publish one verified list under every --tag.",
            "The platform of every pushed image is read back from the registry; a build whose image is another "
                    + "platform (a stale base) fails. The context must lie inside the working directory.",
            "Example (the offline example against a local registry):",
            "  multiarch build \\",
            "    --image 127.0.0.1:5000/demo/offline --tag 1.0 \\",
            "    --platform linux/amd64 --platform linux/arm64 --allow-emulation \\",
            "    --insecure-registry 127.0.0.1:5000 examples/offline"
        })
public final class BuildCommand implements Callable<Integer> {

    @Option(
            names = "--image",
            required = true,
            paramLabel = "REGISTRY/REPO",
            description = "The multi-arch image's repository, e.g. registry.example/onap/py-app")
    String image;

    @Option(
            names = {"-t", "--tag"},
            paramLabel = "TAG",
            description = "Tag of the list (repeatable; required unless --no-publish).")
    List<String> tags = new ArrayList<>();

    @Option(
            names = "--platform",
            required = true,
            paramLabel = "OS/ARCH[/VARIANT]",
            description = "Platform to build (repeatable), e.g. linux/amd64, linux/arm64, linux/arm/v7.")
    List<String> platforms = new ArrayList<>();

    @Option(
            names = "--builder",
            paramLabel = "docker|buildah",
            defaultValue = "docker",
            description = "docker: the Docker Engine at DOCKER_HOST (or --docker-host); buildah: the buildah CLI here. "
                    + "Default: ${DEFAULT-VALUE}.")
    String builder;

    @Option(
            names = "--naming",
            paramLabel = "digest|repo-suffix|tag-suffix",
            defaultValue = "digest",
            description = "How per-platform images are pushed: digest (a temporary tag, default), repo-suffix "
                    + "(REPO-arm64v8:TAG, the seed's), tag-suffix (REPO:TAG-arm64v8).")
    String naming;

    @Option(
            names = "--allow-emulation",
            description = "Build platforms that are not the builder's own under emulation (qemu).")
    boolean allowEmulation;

    @Option(
            names = {"-f", "--file"},
            paramLabel = "DOCKERFILE",
            description = "Dockerfile (default: CONTEXT/Dockerfile).")
    Path file;

    @Option(
            names = "--build-arg",
            paramLabel = "KEY=VALUE",
            description = "Build argument (repeatable). Names are recorded, values never.")
    List<String> buildArgs = new ArrayList<>();

    @Option(
            names = "--secret-build-arg",
            paramLabel = "NAME",
            description =
                    "Build argument whose value is read from the environment variable NAME and masked in all "
                            + "output (repeatable). Note that Docker keeps build-arg values in the image history: prefer secrets mounts.")
    List<String> secretBuildArgs = new ArrayList<>();

    @Option(names = "--target", paramLabel = "STAGE", description = "Build this stage of a multi-stage Dockerfile.")
    String target;

    @Option(
            names = "--label",
            paramLabel = "KEY=VALUE",
            description = "Image label (repeatable); OCI source/revision/created are set by default.")
    List<String> labels = new ArrayList<>();

    @Option(names = "--no-cache", description = "Do not use the build cache.")
    boolean noCache;

    @Option(
            names = "--cache",
            paramLabel = "REPO",
            description = "Keep one build cache per platform in this repository: REPO:buildcache-<arch> with "
                    + "docker, REPO-buildcache-<arch> with buildah (--layers --cache-from/--cache-to). A missing "
                    + "cache is one log line, never an error; another platform's cache is never touched.")
    String cache;

    @Option(
            names = "--source-revision",
            paramLabel = "REV",
            description = "VCS revision for the record and the org.opencontainers.image.revision label.")
    String sourceRevision;

    @Option(
            names = "--source-url",
            paramLabel = "URL",
            description = "Value of the org.opencontainers.image.source label.")
    String sourceUrl;

    @Option(
            names = "--records",
            paramLabel = "DIR",
            defaultValue = "multiarch-records",
            description = "Where to write one record per platform. Default: ${DEFAULT-VALUE}.")
    Path records;

    @Option(
            names = "--no-publish",
            description = "Build, push and record only; publish later with push-manifest-list --records.")
    boolean noPublish;

    @Option(
            names = "--format",
            paramLabel = "oci|docker|auto",
            defaultValue = "auto",
            description = "List type. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "Build up to N platforms at once (one engine builds one image at a time; its pushes and checks "
                            + "overlap). Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(
            names = "--docker-host",
            paramLabel = "URL",
            description = "Docker Engine (unix:///... or tcp://...); default DOCKER_HOST.")
    String dockerHost;

    @Option(
            names = "--buildah-storage-driver",
            paramLabel = "DRIVER",
            defaultValue = "vfs",
            description = "buildah storage driver. Default: ${DEFAULT-VALUE}.")
    String storageDriver;

    @Option(
            names = "--buildah-isolation",
            paramLabel = "chroot|oci|rootless",
            defaultValue = "chroot",
            description = "buildah isolation. Default: ${DEFAULT-VALUE}.")
    String isolation;

    @Option(
            names = "--buildah-layers",
            description = "Cache intermediate layers with buildah (--layers); off by default, as in buildah.")
    boolean buildahLayers;

    @Option(
            names = "--buildah-root",
            paramLabel = "DIR",
            description = "buildah --root (storage); default buildah's own.")
    Path buildahRoot;

    @Option(names = "--buildah-runroot", paramLabel = "DIR", description = "buildah --runroot; default buildah's own.")
    Path buildahRunRoot;

    @Option(names = "--agent", paramLabel = "NAME", description = "Agent name for the records (default: none).")
    String agent;

    @Option(
            names = "--provenance",
            paramLabel = "min|max|off",
            defaultValue = "min",
            description = "SLSA provenance per platform, attached as BuildKit attaches it: min (the default, as"
                    + " buildx's), max (adds the build-arg names, never their values, and the Dockerfile's digest)"
                    + " or off. Default: ${DEFAULT-VALUE}.")
    String provenance;

    @Option(names = "--json", description = "Print the result (records and list) as JSON.")
    boolean json;

    @Parameters(
            index = "0",
            paramLabel = "CONTEXT",
            description = "The build context folder (inside the working directory).")
    Path context;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    @Override
    public Integer call() {
        ImageReference repository = ImageReference.parseRepository("--image", image);
        Naming namingValue = Naming.parse(naming);
        ProvenanceMode provenanceMode = ProvenanceMode.parse("--provenance", provenance);
        // a typo (linux/amd65) is bad input, exit 2, even where emulation would be allowed
        List<Platform> platformValues = Platform.parseDistinct(platforms).stream()
                .map(p -> KnownPlatforms.require("--platform", p))
                .toList();
        BuildRequest.Builder request = BuildRequest.builder()
                .context(context)
                .dockerfile(file == null ? null : file.toAbsolutePath())
                .platform(platformValues.get(0))
                .image(repository)
                .tags(tags)
                .naming(namingValue)
                .allowEmulation(allowEmulation)
                .target(target)
                .noCache(noCache)
                .cache(BuildCache.parseOptional(cache))
                .sourceRevision(sourceRevision)
                .sourceUrl(sourceUrl)
                .agentName(agent)
                .provenance(ProvenanceOptions.cli(provenanceMode))
                .workspace(Path.of("").toAbsolutePath())
                .sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH"))
                .labels(keyValues("--label", labels));
        request.buildArgs(keyValues("--build-arg", buildArgs));
        for (String name : secretBuildArgs) {
            String value = System.getenv(name);
            if (value == null) {
                throw new InvalidInputException("--secret-build-arg " + name + ": the environment variable " + name
                        + " is not set; export it before running multiarch");
            }
            request.secretBuildArg(name, value);
        }
        BuildRequest template = request.build();
        LogListener listener = registry.listener();
        RegistryClient client = registry.client(repository);
        ImageBuilder imageBuilder = newBuilder(client);
        // read before the flow replaces them: what this build is compared with
        List<ArchImageRecord> previous = previousRecords(records, repository);
        try {
            MultiArchFlow.Result result = new MultiArchFlow(imageBuilder, client, listener)
                    .run(new MultiArchFlow.Request(
                            template,
                            platformValues,
                            records,
                            !noPublish,
                            ListFormat.parse(format),
                            Map.of(),
                            parallel));
            RegistryOptions.print(
                    System.out, json ? json(result) : table(result) + changes(previous, result.records()));
        } finally {
            if (imageBuilder instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // nothing left to release
                }
            }
        }
        return 0;
    }

    private ImageBuilder newBuilder(RegistryClient client) {
        BuilderOptions options = BuilderOptions.builder(builder)
                .dockerHost(dockerHost)
                .environment(System.getenv())
                .storageDriver(storageDriver)
                .isolation(isolation)
                .root(buildahRoot)
                .runRoot(buildahRunRoot)
                .layers(buildahLayers)
                .build();
        try {
            return BuilderFactory.create(options, client);
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith("builder '")) {
                throw new InvalidInputException("--" + e.getMessage(), e); // --builder 'kaniko' is unknown
            }
            throw e;
        }
    }

    static Map<String, String> keyValues(String option, List<String> values) {
        return KeyValuePairs.parse(option, values);
    }

    private static String table(MultiArchFlow.Result result) {
        int width = "IMAGE".length();
        for (ArchImageRecord r : result.records()) {
            width = Math.max(width, r.reference().toString().length());
        }
        int provenanceWidth = "PROVENANCE".length();
        for (ArchImageRecord r : result.records()) {
            provenanceWidth = Math.max(provenanceWidth, provenanceOf(r).length());
        }
        String row = "%-16s %-9s %-10s %-" + width + "s %-" + provenanceWidth + "s %s%n";
        StringBuilder out =
                new StringBuilder(String.format(row, "PLATFORM", "EMULATED", "TIME", "IMAGE", "PROVENANCE", "RECORD"));
        for (int i = 0; i < result.records().size(); i++) {
            ArchImageRecord r = result.records().get(i);
            out.append(String.format(
                    row,
                    r.platform(),
                    r.emulated() ? "yes" : "no",
                    r.duration().toMillis() + " ms",
                    r.reference(),
                    provenanceOf(r),
                    i < result.recordFiles().size() ? result.recordFiles().get(i) : "-"));
        }
        result.publishResult().ifPresent(p -> out.append('\n').append(Reports.publishTable(p)));
        return out.toString();
    }

    /** The attestation manifest's digest (in the image's repository), or {@code -} when provenance was off. */
    private static String provenanceOf(ArchImageRecord r) {
        return r.provenanceDigest().map(Object::toString).orElse("-");
    }

    /** This image's records in {@code dir} from an earlier build, or none (no folder, no record, one unreadable). */
    static List<ArchImageRecord> previousRecords(Path dir, ImageReference image) {
        try {
            return RecordStore.select(dir, image).records();
        } catch (InvalidInputException none) {
            return List.of();
        }
    }

    /**
     * Per platform, what changed against the records of the previous build in the records folder: "new platform",
     * "unchanged", "no longer built", or the digests and the parts of the image that changed (env names only). Empty
     * when there was no previous build.
     */
    static String changes(List<ArchImageRecord> previous, List<ArchImageRecord> now) {
        if (previous.isEmpty()) {
            return "";
        }
        Map<String, ArchImageRecord> before = new TreeMap<>();
        previous.forEach(r -> before.put(r.fileName(), r));
        StringBuilder out = new StringBuilder("\nCHANGES SINCE THE PREVIOUS RECORDS\n");
        for (ArchImageRecord r : now) {
            ArchImageRecord then = before.remove(r.fileName());
            out.append(String.format("%-16s ", r.platform()));
            if (then == null) {
                out.append("new platform\n");
            } else if (then.digest().equals(r.digest())) {
                out.append("unchanged\n");
            } else {
                out.append("digest ")
                        .append(Wording.shortDigest(then.digest().toString()))
                        .append(" to ")
                        .append(Wording.shortDigest(r.digest().toString()))
                        .append('\n');
                ImageChanges.Content a = content(then);
                ImageChanges.Content b = content(r);
                if (a == null || b == null) {
                    out.append(String.format("%-16s (a record of schema 1.0 does not say what its image holds)%n", ""));
                } else {
                    ImageChanges.between(a, b).forEach(line -> out.append(String.format("%-16s %s%n", "", line)));
                }
            }
        }
        before.values().forEach(r -> out.append(String.format("%-16s no longer built%n", r.platform())));
        return out.toString();
    }

    private static ImageChanges.Content content(ArchImageRecord r) {
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

    private static String json(MultiArchFlow.Result result) {
        StringBuilder out = new StringBuilder("{\"records\":[");
        for (int i = 0; i < result.records().size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(new String(result.records().get(i).toJson(), java.nio.charset.StandardCharsets.UTF_8).strip());
        }
        out.append("],\"published\":");
        out.append(
                result.publishResult().map(p -> Reports.publishJson(p).strip()).orElse("null"));
        return out.append("}\n").toString();
    }
}
