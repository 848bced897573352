package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Where the CPU of a same-repository publish goes, by how warm our JVM is: runs in a fresh JVM (started by
 * {@link Bench}) publishes in phases of growing count and prints, per phase, one line {@code PHASE first last
 * wallMedianMicros jvmCpuNanosPerPublish registryCpuNanosPerPublish jitNanosPerPublish}. Our CPU is this JVM's
 * process CPU time (compiler threads included); the JIT figure is the time the JVM's compilers spent in the phase
 * (CompilationMXBean); the registry's CPU comes from {@code /proc/PID/stat} (utime + stime), read around the phase.
 * Arguments: {@code HOST:PORT REGISTRY_PID TARGET PHASES(e.g. 25,75,200,300) REF=PLATFORM...}
 */
public final class CpuProbe {

    private CpuProbe() {}

    public static void main(String[] args) throws Exception {
        String hostPort = args[0];
        long registryPid = Long.parseLong(args[1]);
        String target = args[2];
        List<SourceSpec> sources = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            int eq = args[i].lastIndexOf('=');
            sources.add(new SourceSpec(
                    ImageReference.parse(args[i].substring(0, eq)),
                    Platform.parse(args[i].substring(eq + 1)),
                    "probe"));
        }
        RegistryClient client = new RegistryClient(RegistrySettings.builder()
                .insecureRegistry(hostPort)
                .listener(LogListener.NONE)
                .userAgent("multiarch-bench")
                .build());
        int done = 0;
        for (String phase : args[3].split(",")) {
            int count = Integer.parseInt(phase);
            List<Long> walls = new ArrayList<>();
            long cpu0 = processCpu();
            long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            long reg0 = Tools.cpuOfProcess(registryPid);
            for (int i = 0; i < count; i++) {
                String run = "cpu" + (done + i);
                PublishRequest request = PublishRequest.builder()
                        .target(target)
                        .tags(List.of(run + "-1.0", run + "-latest"))
                        .sources(sources)
                        .format(ListFormat.AUTO)
                        .build();
                long t0 = System.nanoTime();
                new Publisher(client, LogListener.NONE).publish(request);
                walls.add((System.nanoTime() - t0) / 1000);
            }
            long cpu = processCpu() - cpu0;
            long jit = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0;
            long reg = Tools.cpuOfProcess(registryPid) - reg0;
            Collections.sort(walls);
            System.out.printf(
                    Locale.ROOT,
                    "PHASE %d %d %d %d %d %d%n",
                    done + 1,
                    done + count,
                    walls.get(count / 2),
                    cpu / count,
                    reg / count,
                    jit * 1_000_000L / count);
            done += count;
        }
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
