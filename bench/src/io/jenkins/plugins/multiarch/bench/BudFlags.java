package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.testing.BaseImages;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Diagnostic, not part of the run ({@code bench/run --diag BudFlags [REPS]}): does any flag ours passes to
 * {@code buildah bud} cost time? Builds the large context with the bench CLI's flags (A), plus {@code -f} (B), plus
 * {@code --format oci --iidfile} (C), and with exactly the command line and environment {@link
 * io.jenkins.plugins.multiarch.builder.BuildahBuilder} uses (D), alternating; prints each variant's median.
 */
public final class BudFlags {
    private BudFlags() {}

    public static void main(String[] a) throws Exception {
        int reps = Integer.parseInt(a[0]);
        Path work = Files.createTempDirectory("budflags");
        try (RegistryServer registry = RegistryServer.plain()) {
            BaseImages.Base base = BaseImages.push(registry);
            Path ctx = BuildBench.largeContext(work, base.reference());
            Path conf = work.resolve("registries.conf");
            Files.writeString(
                    conf,
                    "unqualified-search-registries = [\"docker.io\"]\n\n[[registry]]\nlocation = \""
                            + registry.hostPort() + "\"\ninsecure = true\n");
            Path root = work.resolve("root"), run = work.resolve("run");
            List<String> b = List.of(
                    "buildah", "--storage-driver", "vfs", "--root", root.toString(), "--runroot", run.toString());
            String[] names = {"A bench-cli", "B +-f", "C +format+iid", "D ours-exact"};
            Map<String, List<Long>> times = new LinkedHashMap<>();
            for (int i = -1; i < reps; i++) {
                for (int t = 0; t < names.length; t++) {
                    int v = (t + Math.max(i, 0)) % names.length;
                    Files.writeString(
                            ctx.resolve("app").resolve("run-id.txt"), "run " + i + " " + t + System.nanoTime());
                    String ref = registry.ref("x/v" + v) + ":r" + i;
                    List<String> bud = new ArrayList<>(b);
                    bud.addAll(List.of("bud", "--isolation", "chroot", "--platform", "linux/amd64"));
                    Map<String, String> env = new HashMap<>();
                    if (v == 3) {
                        bud.addAll(List.of(
                                "--format",
                                "oci",
                                "-f",
                                ctx.resolve("Dockerfile").toString(),
                                "--pull=always"));
                        env.put("CONTAINERS_REGISTRIES_CONF", conf.toString());
                        env.put("BUILDAH_LAYERS", "false");
                    } else {
                        bud.addAll(List.of("--pull=always", "--tls-verify=false"));
                    }
                    if (v == 1)
                        bud.addAll(List.of("-f", ctx.resolve("Dockerfile").toString()));
                    if (v == 2)
                        bud.addAll(List.of(
                                "--format",
                                "oci",
                                "--iidfile",
                                work.resolve("iid").toString()));
                    bud.addAll(List.of("--label", "x=y", "-t", ref));
                    if (v == 3)
                        bud.addAll(List.of("--iidfile", work.resolve("iid").toString()));
                    bud.add(ctx.toString());
                    long t0 = System.nanoTime();
                    ProcessBuilder pb = new ProcessBuilder(bud)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
                    pb.environment().putAll(env);
                    Process p = pb.start();
                    if (p.waitFor() != 0) throw new IllegalStateException("failed " + bud);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (i >= 0)
                        times.computeIfAbsent(names[v], k -> new ArrayList<>()).add(ms);
                }
            }
            times.forEach((k, v) -> {
                List<Long> s = new ArrayList<>(v);
                Collections.sort(s);
                System.out.println(k + " median " + s.get(s.size() / 2) + " " + v);
            });
        } finally {
            new ProcessBuilder("rm", "-rf", work.toString()).start().waitFor();
        }
    }
}
