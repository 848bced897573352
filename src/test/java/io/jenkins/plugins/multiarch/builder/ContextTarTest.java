package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The context tar: .dockerignore honoured, modes and links kept, an outside Dockerfile added by name. */
class ContextTarTest {

    @TempDir
    Path dir;

    @Test
    void honoursDockerignoreAndKeepsModesAndLinks() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        Files.writeString(ctx.resolve(".dockerignore"), "*.log\nsecrets\nDockerfile\n!secrets/public.pem\n");
        Files.writeString(ctx.resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(ctx.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(ctx.resolve("build.log"), "noise");
        Files.createDirectories(ctx.resolve("secrets"));
        Files.writeString(ctx.resolve("secrets/key"), "private");
        Files.writeString(ctx.resolve("secrets/public.pem"), "public");
        Files.createDirectories(ctx.resolve("src/deep"));
        Files.writeString(ctx.resolve("src/deep/app.txt"), "hello");
        Files.createSymbolicLink(ctx.resolve("link"), Path.of("/etc/passwd"));

        ContextTar tar = new ContextTar(ctx, ctx.resolve("Dockerfile"));
        Map<String, TarArchiveEntry> entries = read(tar);

        assertThat(tar.dockerfileName()).isEqualTo("Dockerfile");
        assertThat(entries)
                .containsKeys(
                        "Dockerfile",
                        ".dockerignore",
                        "run.sh",
                        "secrets/public.pem",
                        "src/",
                        "src/deep/",
                        "src/deep/app.txt",
                        "link");
        assertThat(entries).doesNotContainKeys("build.log", "secrets/key");
        assertThat(entries.get("run.sh").getMode() & 0777).isEqualTo(0755);
        assertThat(entries.get("link").isSymbolicLink()).isTrue();
        assertThat(entries.get("link").getLinkName()).isEqualTo("/etc/passwd");
        assertThat(tar.files()).isEqualTo(5);
    }

    @Test
    void aDockerfileOutsideTheContextIsAddedUnderAGeneratedName() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("a.txt"), "a");
        Path df = Files.writeString(dir.resolve("Other.Dockerfile"), "FROM scratch\nCOPY a.txt /\n");
        ContextTar tar = new ContextTar(ctx, df);
        Map<String, TarArchiveEntry> entries = read(tar);
        assertThat(tar.dockerfileName()).startsWith(".dockerfile.");
        assertThat(entries).containsKeys("a.txt", tar.dockerfileName());
    }

    @Test
    void theStreamFromTheWriterThreadIsTheSameTar() throws IOException {
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        byte[] big = new byte[3 * 1024 * 1024];
        new java.util.Random(1).nextBytes(big);
        Files.write(ctx.resolve("big.bin"), big);
        ContextTar tar = new ContextTar(ctx, ctx.resolve("Dockerfile"));
        try (InputStream in = tar.open();
                TarArchiveInputStream t = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            boolean found = false;
            while ((e = t.getNextEntry()) != null) {
                if (e.getName().equals("big.bin")) {
                    assertThat(t.readAllBytes()).isEqualTo(big);
                    found = true;
                }
            }
            assertThat(found).isTrue();
        }
        tar.awaitWriter(10_000);
        assertThat(tar.failure()).isNull();
        assertThat(tar.receiverGone()).as("the whole tar was read").isNull();
    }

    @Test
    void aReceiverThatStopsReadingIsNotReportedAsAnUnreadableContext() throws IOException {
        // what happens when the engine answers (an error) before it has read the whole context
        Path ctx = Files.createDirectories(dir.resolve("ctx"));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\n");
        Files.write(ctx.resolve("big.bin"), new byte[4 * 1024 * 1024]);
        ContextTar tar = new ContextTar(ctx, ctx.resolve("Dockerfile"));
        try (InputStream in = tar.open()) {
            assertThat(in.readNBytes(4096)).hasSize(4096);
        }
        tar.awaitWriter(10_000);
        assertThat(tar.failure()).as("not a problem with the context's files").isNull();
        assertThat(tar.receiverGone()).isNotNull();
        assertThat(tar.receiverGone().getMessage()).containsIgnoringCase("pipe");
    }

    private static Map<String, TarArchiveEntry> read(ContextTar tar) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        tar.write(out);
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream t =
                new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()), StandardCharsets.UTF_8.name())) {
            TarArchiveEntry e;
            while ((e = t.getNextEntry()) != null) {
                entries.put(e.getName(), e);
            }
        }
        return entries;
    }
}
