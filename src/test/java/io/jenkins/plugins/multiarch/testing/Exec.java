package io.jenkins.plugins.multiarch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs an external command (openssl, htpasswd, skopeo, docker, buildah ...) with a deadline; for tests only. */
public final class Exec {

    /** What a finished command left: exit code, standard output and standard error as text. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Fails with the command's output when it did not exit 0. */
        public Result orThrow() {
            if (exitCode != 0) {
                throw new IllegalStateException(
                        "command " + command + " exited " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    private Exec() {}

    public static Result run(List<String> command, Duration timeout) {
        return run(command, timeout, Map.of(), null, null);
    }

    /**
     * Runs {@code command} with extra environment {@code env} in {@code dir} (null: current), feeding {@code stdin}
     * (null: nothing). Output goes through files, so a chatty command can never block on a full pipe.
     */
    public static Result run(List<String> command, Duration timeout, Map<String, String> env, Path dir, byte[] stdin) {
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("exec-out", ".txt");
            err = Files.createTempFile("exec-err", ".txt");
            ProcessBuilder pb =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            if (stdin != null) {
                in = Files.createTempFile("exec-in", ".bin");
                Files.write(in, stdin);
                pb.redirectInput(in.toFile());
            } else {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("command " + command + " did not finish within " + timeout
                        + "\nstdout: " + Files.readString(out) + "\nstderr: " + Files.readString(err));
            }
            return new Result(
                    List.copyOf(command),
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            for (Path p : new Path[] {out, err, in}) {
                if (p != null) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // a temp file left behind is harmless
                    }
                }
            }
        }
    }

    /** Deletes a directory tree, ignoring what is already gone. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: temp dirs only
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
