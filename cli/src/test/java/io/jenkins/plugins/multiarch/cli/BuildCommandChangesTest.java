package io.jenkins.plugins.multiarch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.testing.Components.Component;
import io.jenkins.plugins.multiarch.testing.RegistryExtension;
import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code multiarch build} in-process with real buildah and a real registry, twice into one --records folder: the
 * second report says per platform what changed against the records it replaced (env names, never values).
 */
class BuildCommandChangesTest {

    @RegisterExtension
    static final RegistryExtension<RegistryServer> registry =
            RegistryExtension.plain().requiring(Component.BUILDAH);

    @TempDir
    static Path storage;

    /** Inside the working directory (the CLI refuses a context outside it): the build's target folder. */
    Path contexts;

    @BeforeEach
    void contexts() throws Exception {
        Path classes = Path.of(BuildCommandChangesTest.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        contexts = Files.createTempDirectory(classes.getParent(), "changes-");
    }

    @AfterEach
    void removeContexts() throws Exception {
        try (Stream<Path> walk = Files.walk(contexts)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Path context(String name, String env) throws Exception {
        Path ctx = Files.createDirectories(contexts.resolve(name));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nENV " + env + "\nCOPY hello.txt /hello.txt\n");
        Files.writeString(ctx.resolve("hello.txt"), "hello\n");
        return Path.of("").toAbsolutePath().relativize(ctx);
    }

    private String build(Path ctx, Path records) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(
                    "build",
                    "--image",
                    registry.get().hostPort() + "/cli/changes",
                    "--platform",
                    "linux/amd64",
                    "--builder",
                    "buildah",
                    "--buildah-root",
                    storage.resolve("root").toString(),
                    "--buildah-runroot",
                    storage.resolve("run").toString(),
                    "--insecure-registry",
                    registry.get().hostPort(),
                    "--no-publish",
                    "--records",
                    records.toString(),
                    ctx.toString());
        } finally {
            System.setOut(out);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        return text;
    }

    @Test
    void theSecondBuildReportsWhatChangedAgainstTheRecordsItReplaced() throws Exception {
        Path records = storage.resolve("records");
        String first = build(context("one", "MODE=dev-mode-value OLD_TOKEN=hunter2-value"), records);
        assertThat(first).contains("PLATFORM").doesNotContain("CHANGES SINCE");

        String second = build(context("two", "MODE=prod-mode-value NEW_VAR=fresh-value"), records);

        assertThat(second)
                .contains("CHANGES SINCE THE PREVIOUS RECORDS")
                .containsPattern("linux/amd64 +digest sha256:[0-9a-f]{12} to sha256:[0-9a-f]{12}")
                .contains("env: added NEW_VAR; removed OLD_TOKEN")
                .doesNotContain("hunter2-value", "dev-mode-value", "prod-mode-value", "fresh-value");
        String third = build(context("three", "MODE=prod-mode-value NEW_VAR=fresh-value"), records);
        assertThat(third).containsPattern("linux/amd64 +unchanged");
    }
}
