package io.jenkins.plugins.multiarch.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, checked on the sources: each engine package imports only the packages
 * below it, and no engine package imports Jenkins (the adapter package {@code jenkins} sits on top of them all).
 */
class LayeringTest {

    /** Which engine packages each engine package may import (the root package is below everything). */
    static final Map<String, Set<String>> ALLOWED = Map.of(
            "image", Set.of(),
            "manifest", Set.of("image"),
            "registry", Set.of("image", "manifest"),
            "record", Set.of("image"),
            "publish", Set.of("image", "manifest", "registry"),
            "copy", Set.of("image", "manifest", "registry"),
            "provenance", Set.of("image", "manifest", "registry"),
            "report", Set.of("image", "manifest", "registry", "publish"),
            "builder", Set.of("image", "manifest", "registry", "record", "provenance"),
            "flow", Set.of("image", "manifest", "registry", "record", "publish", "builder", "copy", "provenance"));

    private static final Pattern IMPORT =
            Pattern.compile("^import (?:static )?io\\.jenkins\\.plugins\\.multiarch\\.([a-z]+)\\.", Pattern.MULTILINE);
    private static final Pattern JENKINS =
            Pattern.compile("^import (?:static )?(hudson|jenkins|org\\.kohsuke|org\\.jenkinsci)\\.", Pattern.MULTILINE);

    static Path engineRoot() {
        String repo = System.getProperty("multiarch.repository", ".");
        for (Path p : List.of(Path.of(repo, "src/main/java"), Path.of("../src/main/java"), Path.of("src/main/java"))) {
            Path root = p.resolve("io/jenkins/plugins/multiarch");
            if (Files.isDirectory(root.resolve("image"))) {
                return root;
            }
        }
        throw new AssertionError(
                "the engine sources are not found from " + Path.of("").toAbsolutePath());
    }

    @Test
    void everyEnginePackageImportsOnlyThePackagesBelowIt() throws IOException {
        Path root = engineRoot();
        List<String> violations = new ArrayList<>();
        int files = 0;
        for (Map.Entry<String, Set<String>> e : ALLOWED.entrySet()) {
            try (Stream<Path> s = Files.walk(root.resolve(e.getKey()))) {
                for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    String text = Files.readString(f);
                    Matcher m = IMPORT.matcher(text);
                    while (m.find()) {
                        String to = m.group(1);
                        if (!to.equals(e.getKey()) && !e.getValue().contains(to)) {
                            violations.add(root.relativize(f) + " imports " + to);
                        }
                    }
                    if (JENKINS.matcher(text).find()) {
                        violations.add(root.relativize(f) + " imports Jenkins");
                    }
                }
            }
        }
        assertThat(files).as("engine sources read").isGreaterThan(50);
        assertThat(violations).isEmpty();
    }

    @Test
    void theRootPackageImportsNoOtherPackage() throws IOException {
        try (Stream<Path> s = Files.list(engineRoot())) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                assertThat(IMPORT.matcher(Files.readString(f)).find())
                        .as(f.toString())
                        .isFalse();
            }
        }
    }

    @Test
    void everyEnginePackageIsInTheLayering() throws IOException {
        try (Stream<Path> s = Files.list(engineRoot())) {
            List<String> packages = s.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> !n.equals("jenkins"))
                    .toList();
            assertThat(ALLOWED.keySet()).containsExactlyInAnyOrderElementsOf(packages);
        }
    }
}
