package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The creation time an image gets, so that an unchanged context rebuilds to the same image: {@code
 * SOURCE_DATE_EPOCH} (reproducible-builds.org) when set, else the commit time of the revision checked out in
 * the context, else now.
 */
final class CreationTime {

    static final String SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH";

    private CreationTime() {}

    /**
     * @param sourceDateEpoch the {@code SOURCE_DATE_EPOCH} time, or null
     * @param context the build context; its git checkout, if any, gives the commit time
     */
    static Instant of(Instant sourceDateEpoch, Path context, Instant now, LogLines lines) {
        if (sourceDateEpoch != null) {
            return sourceDateEpoch;
        }
        Subprocess.Result r = new Subprocess("git", "install git")
                .run(
                        List.of("git", "-C", context.toString(), "log", "-1", "--format=%ct", "HEAD"),
                        Map.of("GIT_TERMINAL_PROMPT", "0"),
                        lines,
                        false);
        String out = r.output().strip();
        if (r.exit() == 0 && out.matches("[0-9]{1,12}")) {
            return Instant.ofEpochSecond(Long.parseLong(out));
        }
        return now;
    }

    /** As {@link #of}, with git missing or failing treated as "no checkout". */
    static Instant orNow(Instant sourceDateEpoch, Path context, Instant now, LogLines lines) {
        try {
            return of(sourceDateEpoch, context, now, lines);
        } catch (io.jenkins.plugins.multiarch.BuildException noGit) {
            if (Thread.currentThread().isInterrupted()) {
                throw noGit;
            }
            return now;
        }
    }

    /** A {@code SOURCE_DATE_EPOCH} value; null or blank: none. */
    static Instant parseSourceDateEpoch(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        try {
            long seconds = Long.parseLong(v);
            if (seconds >= 0) {
                return Instant.ofEpochSecond(seconds);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidInputException(SOURCE_DATE_EPOCH + " '" + v + "' is not a time: give seconds since "
                + "1970-01-01 UTC, e.g. $(git log -1 --format=%ct)");
    }
}
