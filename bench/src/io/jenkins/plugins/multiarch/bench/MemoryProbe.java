package io.jenkins.plugins.multiarch.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishRequest;
import io.jenkins.plugins.multiarch.publish.Publisher;
import io.jenkins.plugins.multiarch.publish.SourceSpec;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Runs ONE in-process publish in a fresh JVM (started by {@link Bench} with a small -Xmx) and prints what the heap
 * went through, as one line {@code RESULT key=value ...}:
 * <ul>
 * <li>{@code baseline}: heap used after a full GC, before the publish (JDK + classes' static data);</li>
 * <li>{@code poolPeak}: sum of the heap pools' peak usage during the publish (peaks reset before it): an upper
 * bound of the peak heap, garbage included;</li>
 * <li>{@code maxBeforeGc}/{@code maxAfterGc}: heap used just before / after each collection, from the GC
 * notifications (after-GC = the live set);</li>
 * <li>{@code ok=false} with the error when the publish failed (OutOfMemoryError under a small -Xmx).</li>
 * </ul>
 * Arguments: {@code HOST:PORT TARGET TAG[,TAG...] REF=PLATFORM...}
 */
public final class MemoryProbe {

    private MemoryProbe() {}

    public static void main(String[] args) {
        String hostPort = args[0];
        String target = args[1];
        List<String> tags = List.of(args[2].split(","));
        List<SourceSpec> sources = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            int eq = args[i].lastIndexOf('=');
            sources.add(new SourceSpec(
                    ImageReference.parse(args[i].substring(0, eq)),
                    Platform.parse(args[i].substring(eq + 1)),
                    "probe"));
        }
        AtomicLong maxBefore = new AtomicLong();
        AtomicLong maxAfter = new AtomicLong();
        AtomicInteger gcs = new AtomicInteger();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc)
                    .addNotificationListener(
                            (n, hb) -> {
                                if (!n.getType()
                                        .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                                    return;
                                }
                                GarbageCollectionNotificationInfo info =
                                        GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                                maxBefore.accumulateAndGet(
                                        heapSum(info.getGcInfo().getMemoryUsageBeforeGc()), Math::max);
                                maxAfter.accumulateAndGet(
                                        heapSum(info.getGcInfo().getMemoryUsageAfterGc()), Math::max);
                                gcs.incrementAndGet();
                            },
                            null,
                            null);
        }
        System.gc();
        long baseline = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .toList();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        maxBefore.set(0);
        maxAfter.set(0);
        gcs.set(0);
        String outcome;
        long t0 = System.nanoTime();
        try {
            RegistryClient client = new RegistryClient(RegistrySettings.builder()
                    .insecureRegistry(hostPort)
                    .listener(LogListener.NONE)
                    .build());
            PublishRequest request = PublishRequest.builder()
                    .target(target)
                    .tags(tags)
                    .sources(sources)
                    .build();
            int children = new Publisher(client, LogListener.NONE)
                    .publish(request)
                    .children()
                    .size();
            outcome = "ok=true children=" + children;
        } catch (Throwable e) {
            outcome = "ok=false error=" + e.getClass().getSimpleName();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long poolPeak =
                heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.println("RESULT " + outcome + " ms=" + ms + " xmx="
                + Runtime.getRuntime().maxMemory()
                + " baseline=" + baseline + " poolPeak=" + poolPeak + " maxBeforeGc=" + maxBefore.get()
                + " maxAfterGc=" + maxAfter.get() + " gcs=" + gcs.get()
                + " gc="
                + ManagementFactory.getGarbageCollectorMXBeans()
                        .get(0)
                        .getName()
                        .replace(' ', '_'));
    }

    private static long heapSum(Map<String, MemoryUsage> byPool) {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && byPool.containsKey(pool.getName())) {
                sum += byPool.get(pool.getName()).getUsed();
            }
        }
        return sum;
    }
}
