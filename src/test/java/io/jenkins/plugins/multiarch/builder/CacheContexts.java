package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Contexts for the cache tests: a busybox root file system copied in FROM scratch (its config has a history, so
 * buildah's layer cache works on it: the offline base's config has none), then the Dockerfile's own steps.
 */
final class CacheContexts {

    private CacheContexts() {}

    /** {@code FROM scratch}, {@code COPY rootfs/ /} (busybox with sh, sleep, echo), then {@code steps}. */
    static Path busybox(Path dir, Path busybox, String steps) {
        try {
            Path bin = Files.createDirectories(dir.resolve("rootfs/bin"));
            Files.copy(busybox, bin.resolve("busybox"));
            bin.resolve("busybox").toFile().setExecutable(true, false);
            for (String link : List.of("sh", "sleep", "echo", "cat")) {
                Files.createSymbolicLink(bin.resolve(link), Path.of("busybox"));
            }
            Files.createDirectories(dir.resolve("rootfs/tmp"));
            Files.writeString(dir.resolve("hello.txt"), "hello\n");
            Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nCOPY rootfs/ /\n" + steps);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines of the log that contain {@code text}. */
    static List<String> linesWith(BuildFixtures.CapturingListener log, String text) {
        synchronized (log.lines) {
            return log.lines.stream().filter(l -> l.contains(text)).toList();
        }
    }

    /** The digest {@code reference} points at, or null when the registry has no such tag. */
    static Digest digestOf(RegistryClient client, ImageReference reference) {
        return client.headManifest(reference).map(d -> d.digest()).orElse(null);
    }

    /** Every tag of {@code repository} with the digest it points at (the registry's tags/list, then HEADs). */
    static Map<String, Digest> tags(RegistryServer registry, RegistryClient client, ImageReference repository) {
        try {
            HttpResponse<String> r = registry.httpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            registry.baseUri() + "/v2/" + repository.repository() + "/tags/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            Map<String, Digest> tags = new TreeMap<>();
            if (r.statusCode() == 404) {
                return tags;
            }
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode list = new ObjectMapper().readTree(r.body()).path("tags");
            for (JsonNode tag : list) {
                tags.put(tag.asText(), digestOf(client, repository.withTag(tag.asText())));
            }
            return tags;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
