package io.jenkins.plugins.multiarch.flow;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The failure of a multi-platform build where some platforms failed: what failed, and exactly what the others
 * pushed and where (a builder's own "nothing was pushed" speaks for its platform only), where their records are,
 * and that no list was published. The first failure's class is kept, so its exit code and log tail are too.
 *
 * @param failures each failed platform with its failure, in the order asked
 * @param built the records of the platforms that were built and pushed
 * @param notStarted platforms not built because an earlier one failed
 * @param recordsDir where the built platforms' records were written, or null
 */
record PartialBuild(List<Failure> failures, List<ArchImageRecord> built, List<Platform> notStarted, Path recordsDir) {

    /** One platform's failure. */
    record Failure(Platform platform, MultiarchException error) {}

    PartialBuild {
        failures = List.copyOf(failures);
        built = List.copyOf(built);
        notStarted = List.copyOf(notStarted);
    }

    /** The exception to throw: the first failure's class and detail, the message telling the whole story. */
    MultiarchException toException(ImageReference image, List<String> tags) {
        MultiarchException first = failures.get(0).error();
        StringBuilder m = new StringBuilder();
        for (Failure f : failures) {
            m.append(m.length() == 0 ? "" : "\n")
                    .append(f.platform())
                    .append(" failed: ")
                    .append(detail(f.error()));
        }
        m.append('\n');
        if (built.isEmpty()) {
            m.append("No platform was pushed");
        } else {
            m.append("Pushed before the failure: ");
            m.append(built.stream().map(PartialBuild::pushed).collect(Collectors.joining("; ")));
        }
        if (!notStarted.isEmpty()) {
            m.append(". Not built: ").append(words(notStarted));
        }
        m.append(". No list was published.");
        if (!built.isEmpty() && recordsDir != null) {
            String optional =
                    failures.stream().map(f -> " --optional " + f.platform()).collect(Collectors.joining())
                            + notStarted.stream().map(p -> " --optional " + p).collect(Collectors.joining());
            m.append(" The records of the pushed platform(s) are in ")
                    .append(recordsDir)
                    .append(": fix the failure and re-run, or publish what was pushed with: multiarch "
                            + "push-manifest-list --image ")
                    .append(image.withoutTagOrDigest())
                    .append(tags.stream().map(t -> " --tag " + t).collect(Collectors.joining()))
                    .append(" --records ")
                    .append(recordsDir)
                    .append(optional);
        }
        return sameKind(first, m.toString());
    }

    private static String pushed(ArchImageRecord r) {
        return r.platform() + " as "
                + r.pushed().stream().map(ImageReference::toString).collect(Collectors.joining(", "))
                + " (" + r.digest() + ")";
    }

    private static String words(List<Platform> platforms) {
        return platforms.stream().map(Platform::toString).collect(Collectors.joining(", "));
    }

    /** The failure's message without a build log tail (the exception built here appends it once). */
    private static String detail(MultiarchException e) {
        String message = String.valueOf(e.getMessage());
        if (e instanceof BuildException b && !b.logTail().isEmpty()) {
            String tail = new BuildException("", b.logTail()).getMessage();
            if (message.endsWith(tail)) {
                return message.substring(0, message.length() - tail.length());
            }
        }
        return message;
    }

    private static MultiarchException sameKind(MultiarchException first, String message) {
        if (first instanceof BuildException b) {
            return new BuildException(message, b.logTail(), first);
        }
        if (first instanceof VerificationException) {
            return new VerificationException(message, first);
        }
        if (first instanceof RegistryAuthenticationException r) {
            // its constructors take no cause; the message carries the story
            return new RegistryAuthenticationException(message, r.statusCode());
        }
        if (first instanceof RegistryException r) {
            return new RegistryException(message, r.statusCode(), r.errorCodes(), first);
        }
        if (first instanceof InvalidInputException) {
            return new InvalidInputException(message, first);
        }
        return new BuildException(message, List.of(), first);
    }
}
