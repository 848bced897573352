package io.jenkins.plugins.multiarch.cli;

import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.report.Inspection;
import io.jenkins.plugins.multiarch.report.Inspector;
import io.jenkins.plugins.multiarch.report.Reports;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code multiarch inspect}: what a reference points at, each entry checked against its config. */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        abbreviateSynopsis = true,
        optionListHeading = "Options:%n",
        description = {
            "Show an image or list: per platform digest, size and the platform its config really has.",
            "--verbose prints the JSON of `docker manifest inspect --verbose`; --raw the manifest itself.",
            "Exits 3 when a list entry's config is not the platform the list claims.",
            // each example line fits 80 columns, so that picocli never wraps inside one
            "Examples:",
            "  multiarch inspect 127.0.0.1:5000/onap/py-app:1.0 \\",
            "    --insecure-registry 127.0.0.1:5000",
            "  multiarch inspect registry.example/onap/py-app:1.0 --json"
        })
public final class InspectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REF", description = "Image or list by tag or digest.")
    String reference;

    @Option(
            names = "--verbose",
            description = "Print what `docker manifest inspect --verbose` prints: each entry with its manifest.")
    boolean verbose;

    @Option(names = "--raw", description = "Print the manifest as the registry stores it (indented).")
    boolean raw;

    @Option(names = "--json", description = "Print a JSON report.")
    boolean json;

    @Mixin
    RegistryOptions registry = new RegistryOptions();

    @Override
    public Integer call() {
        ImageReference ref = ImageReference.parse(reference);
        Inspection inspection;
        try (WaitNotice waits = registry.showWaits(ref.registry())) {
            inspection = new Inspector(registry.client(ref), registry.listener()).inspect(ref);
        }
        String text;
        if (verbose) {
            text = Reports.inspectVerbose(inspection);
        } else if (json) {
            text = Reports.inspectJson(inspection);
        } else if (raw) {
            text = Reports.inspectRaw(inspection);
        } else {
            text = Reports.inspectTable(inspection);
        }
        RegistryOptions.print(System.out, text);
        return inspection.consistent() ? 0 : 3;
    }
}
