package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.builder.BuildRequest;
import io.jenkins.plugins.multiarch.builder.BuildahBuilder;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Diagnostic, not part of the run ({@code bench/run --diag BuildahPhases [REPS]}): where the time of a buildah build
 * of the large context goes, ours ({@link BuildahBuilder}, phases from its log lines: before {@code bud}, {@code bud},
 * the platform check, push plus registry confirmation) against {@code buildah bud && buildah push}, alternating,
 * one line per build. Starts its own registry and store.
 */
public final class BuildahPhases {
    private BuildahPhases() {}

    public static void main(String[] a) throws Exception {
        int reps = Integer.parseInt(a[0]);
        Path work = Files.createTempDirectory("bphases");
        try (RegistryServer registry = RegistryServer.plain()) {
            BaseImages.Base base = BaseImages.push(registry);
            Path ctx = BuildBench.largeContext(work, base.reference());
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(registry.hostPort())
                    .build());
            Path root = work.resolve("root"), run = work.resolve("run");
            BuildahBuilder ours = BuildahBuilder.builder()
                    .storageDriver("vfs")
                    .root(root)
                    .runRoot(run)
                    .isolation("chroot")
                    .insecureRegistry(registry.hostPort())
                    .registryClient(client)
                    .credentials(CredentialsSource.none())
                    .build();
            List<String> b = List.of(
                    "buildah", "--storage-driver", "vfs", "--root", root.toString(), "--runroot", run.toString());
            for (int i = -1; i < reps; i++) {
                for (int t = 0; t < 2; t++) {
                    int tool = (t + Math.max(i, 0)) % 2;
                    Files.writeString(
                            ctx.resolve("app").resolve("run-id.txt"), "run " + i + " " + t + System.nanoTime());
                    String tag = "r" + i + "-" + t;
                    long t0 = System.nanoTime();
                    if (tool == 0) {
                        Map<String, Long> marks = new LinkedHashMap<>();
                        LogListener l = (lvl, m) -> {
                            String k = m.contains("building ")
                                    ? "bud-start"
                                    : m.contains("] built ")
                                            ? "built"
                                            : m.contains("pushing ")
                                                    ? "push-start"
                                                    : m.contains("pushed ") ? "pushed" : null;
                            if (k != null) marks.putIfAbsent(k, System.nanoTime());
                        };
                        BuildRequest req = BuildRequest.builder()
                                .context(ctx)
                                .platform("linux/amd64")
                                .image(registry.ref("x/ours"))
                                .tag(tag)
                                .naming(Naming.DIGEST)
                                .pull(true)
                                .build();
                        ours.build(req, l);
                        long end = System.nanoTime();
                        System.out.printf(
                                "ours  total %5d  pre %4d  bud %5d  check %4d  push %5d  confirm %4d%s%n",
                                ms(end - t0),
                                ms(marks.get("bud-start") - t0),
                                ms(marks.get("built") - marks.get("bud-start")),
                                ms(marks.get("push-start") - marks.get("built")),
                                ms(marks.get("pushed") - marks.get("push-start")),
                                ms(end - marks.get("pushed")),
                                i < 0 ? "   (warm-up)" : "");
                    } else {
                        String ref = registry.ref("x/cli") + ":" + tag;
                        List<String> bud = new ArrayList<>(b);
                        bud.addAll(List.of(
                                "bud",
                                "--isolation",
                                "chroot",
                                "--platform",
                                "linux/amd64",
                                "--pull=always",
                                "--tls-verify=false",
                                "--label",
                                "x=y",
                                "-t",
                                ref,
                                ctx.toString()));
                        exec(bud);
                        long t1 = System.nanoTime();
                        List<String> push = new ArrayList<>(b);
                        push.addAll(List.of("push", "--tls-verify=false", ref, "docker://" + ref));
                        exec(push);
                        long end = System.nanoTime();
                        System.out.printf(
                                "cli   total %5d            bud %5d             push %5d%s%n",
                                ms(end - t0), ms(t1 - t0), ms(end - t1), i < 0 ? "   (warm-up)" : "");
                    }
                }
            }
        } finally {
            new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor();
        }
    }

    static long ms(long n) {
        return n / 1_000_000;
    }

    static void exec(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (p.waitFor() != 0) throw new IllegalStateException("failed: " + cmd);
    }
}
