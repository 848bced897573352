package io.jenkins.plugins.multiarch.cli;

import io.jenkins.plugins.multiarch.copy.Copier;
import io.jenkins.plugins.multiarch.copy.CopyReport;
import io.jenkins.plugins.multiarch.copy.CopyRequest;
import io.jenkins.plugins.multiarch.copy.CopyResult;
import io.jenkins.plugins.multiarch.copy.CopyTarget;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code multiarch copy}: a verified list, with everything it refers to, to other repositories and registries. */
@Command(
        name = "copy",
        mixinStandardHelpOptions = true,
        abbreviateSynopsis = true,
        optionListHeading = "Options:%n",
        description = {
            "Copy a list (or a single image) with its children, attestations, configs and layers to one or more "
                    + "repositories, on the same registry or others. Every digest stays the same.",
            "Within a registry blobs are mounted; across registries each is streamed from the source and "
                    + "verified on the way; blobs a destination has are not sent again. Only when everything is "
                    + "there does the list go under the destination's tags (its tag, else the source's), its "
                    + "digest checked. A destination that fails gets no tag; the others go on.",
            "Exits 0 when every destination succeeded, else 3 (content not what it claims), 2 (bad input) or "
                    + "4 (registry or network), the first that applies.",
            // each example line fits 80 columns, so that picocli never wraps inside one
            "Examples:",
            "  multiarch copy 127.0.0.1:5000/onap/py-app:1.0 \\",
            "    127.0.0.1:5001/onap/py-app registry.example/onap/py-app:stable \\",
            "    --insecure-registry 127.0.0.1:5000 --insecure-registry 127.0.0.1:5001",
            "  multiarch copy staging.example/app@sha256:... prod.example/app:1.0 --json"
        })
public final class CopyCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SRC_REF", description = "The list or image to copy, by tag or digest.")
    String source;

    @Parameters(
            index = "1..*",
            arity = "1..*",
            paramLabel = "DST_REF",
            description = "Destination REGISTRY/REPO[:TAG] (one or more). Without a tag: the source's tag "
                    + "(by digest only when the source has none) or the --tag values.")
    List<String> destinations = new ArrayList<>();

    @Option(
            names = {"-t", "--tag"},
            paramLabel = "TAG",
            description = "Also put the list under this tag at every destination (repeatable).")
    List<String> tags = new ArrayList<>();

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "" + CopyRequest.DEFAULT_PARALLEL_BLOBS,
            description = "Blobs copied at once per destination (1-" + CopyRequest.MAX_PARALLEL_BLOBS
                    + "). Default: ${DEFAULT-VALUE}.")
    int parallel = CopyRequest.DEFAULT_PARALLEL_BLOBS;

    @Option(
            names = "--login-registry",
            paramLabel = "HOST[:PORT]",
            description = "The registry --username/--password-stdin log in to. Default: the first destination's. "
                    + "Every other registry uses Docker's config.json.")
    String loginRegistry;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    @Override
    public Integer call() {
        ImageReference src = ImageReference.parse(source);
        List<CopyTarget> targets = new ArrayList<>();
        for (String destination : destinations) {
            targets.add(CopyTarget.parse("destination", destination, tags));
        }
        CopyRequest request = new CopyRequest(src, targets, parallel);
        String loginHost = loginRegistry != null
                ? ImageReference.parseRegistryHost(loginRegistry)
                : targets.get(0).repository().registry();
        RegistryClient client = registry.client(loginHost, System.in);
        CopyResult result;
        try (WaitNotice waits = registry.showWaits(src.registry())) {
            result = new Copier(client, registry.listener()).copy(request);
        }
        RegistryOptions.print(System.out, json ? CopyReport.json(result) : CopyReport.text(result));
        return result.exitCode();
    }
}
