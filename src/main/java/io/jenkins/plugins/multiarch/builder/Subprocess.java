package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.BuildException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * Runs one command of a tool (buildah, git) under supervision: its output is read on a daemon thread into the
 * build's {@link LogLines} (masked; a bounded tail is kept for parsing and errors) while the calling thread waits
 * for the process and so stays interruptible. An interrupt (a Jenkins abort) stops the process and everything it
 * started, then ends with a {@link BuildException} and the interrupt flag set; any other way out stops it too.
 */
final class Subprocess {

    /** How much of a command's output is kept for parsing and errors; the rest went to the listener only. */
    static final int OUTPUT_TAIL_CHARS = 64 * 1024;

    /** How long a stopped process (and what it started) gets to exit after SIGTERM before SIGKILL. */
    static final long GRACE_MILLIS = 3_000;

    /** What a command gave back: its exit code and the (masked) tail of its output. */
    record Result(int exit, String output) {}

    private final String tool;
    private final String installHint;

    /**
     * @param tool what the command is, for messages ({@code buildah})
     * @param installHint what to do when it cannot be started ({@code install buildah (apt-get install buildah)})
     */
    Subprocess(String tool, String installHint) {
        this.tool = tool;
        this.installHint = installHint;
    }

    /** Runs {@code command}; its output goes to {@code lines} only when {@code show}. */
    Result run(List<String> command, Map<String, String> env, LogLines lines, boolean show) {
        return run(command, env, lines, show ? UnaryOperator.identity() : line -> null);
    }

    /**
     * Runs {@code command}; each output line is masked, kept in the tail, and shown as {@code shown} turns it
     * (null: not shown). The tail keeps every line, shown or not, so errors can still quote it.
     */
    Result run(List<String> command, Map<String, String> env, LogLines lines, UnaryOperator<String> shown) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new BuildException(
                    "cannot run " + command.get(0) + " (" + e.getMessage() + "): " + installHint, lines.tail(), e);
        }
        OutputTail out = new OutputTail(OUTPUT_TAIL_CHARS);
        Thread reader = new Thread(() -> pump(p, out, lines, shown), "multiarch-" + tool + "-output-" + p.pid());
        reader.setDaemon(true);
        reader.start();
        boolean finished = false;
        try {
            p.getOutputStream().close();
            int exit = p.waitFor();
            // the output ends when the last holder of the pipe exits; a stray child must not hang the build
            reader.join(TimeUnit.SECONDS.toMillis(10));
            finished = true;
            return new Result(exit, out.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildException(
                    "build interrupted: " + tool + " " + subcommand(command) + " was stopped (the build was aborted); "
                            + "nothing more is pushed",
                    lines.tail(),
                    e);
        } catch (IOException e) {
            throw new BuildException("cannot talk to " + command.get(0) + " (" + e.getMessage() + ")", lines.tail(), e);
        } finally {
            if (!finished) {
                stop(p);
            }
        }
    }

    /** The first argument that is a word, not an option or a value of one ({@code bud}, {@code push}), for messages. */
    static String subcommand(List<String> command) {
        for (int i = 1; i < command.size(); i++) {
            String a = command.get(i);
            if (a.startsWith("-")) {
                if (!a.contains("=")) {
                    i++; // its value
                }
                continue;
            }
            return a;
        }
        return command.get(0);
    }

    private static void pump(Process p, OutputTail out, LogLines lines, UnaryOperator<String> shown) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String masked = lines.mask(line);
                out.append(masked);
                String show = shown.apply(masked);
                if (show != null) {
                    lines.accept(show + "\n");
                }
            }
        } catch (IOException e) {
            // the process was stopped and its pipe closed: nothing more to read
        }
    }

    /**
     * Stops a process and every process it started (a RUN step's processes are buildah's descendants; once
     * buildah is gone they would be re-parented and out of reach, so they are collected first): SIGTERM so it
     * can release its storage lock, then SIGKILL for whatever is left after a short grace.
     */
    static void stop(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        boolean interrupted = Thread.interrupted();
        try {
            for (ProcessHandle h : tree) {
                long left = deadline - System.nanoTime();
                if (left > 0 && h.isAlive()) {
                    try {
                        h.onExit().get(left, TimeUnit.NANOSECONDS);
                    } catch (ExecutionException | TimeoutException e) {
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                        break;
                    }
                }
            }
            // children started during the grace period are descendants of survivors
            List<ProcessHandle> left = new ArrayList<>(tree);
            for (ProcessHandle h : tree) {
                if (h.isAlive()) {
                    left.addAll(h.descendants().toList());
                }
            }
            left.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last {@code max} characters of a command's output, whole lines where possible. */
    static final class OutputTail {
        private final int max;
        private final StringBuilder text = new StringBuilder();

        OutputTail(int max) {
            this.max = max;
        }

        synchronized void append(String line) {
            text.append(line).append('\n');
            if (text.length() > max) {
                int cut = text.length() - max;
                int nl = text.indexOf("\n", cut);
                text.delete(0, nl >= 0 && nl < text.length() - 1 ? nl + 1 : cut);
            }
        }

        synchronized String text() {
            return text.toString();
        }
    }
}
