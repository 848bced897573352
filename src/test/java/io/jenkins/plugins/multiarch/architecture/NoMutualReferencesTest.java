package io.jenkins.plugins.multiarch.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.publish.Publisher;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No two engine classes refer to each other (issue 11: "no two files import each other"), checked on the
 * compiled classes, so uses within one package count too (they need no import). A pair that does is one
 * concept split in two, or a lower class calling back up; {@link LayeringTest} checks the packages.
 */
class NoMutualReferencesTest {

    private static final String ROOT = "io.jenkins.plugins.multiarch.";

    /** The engine: every package but the Jenkins adapter, the root package included. */
    private static final Predicate<String> ENGINE =
            name -> name.startsWith(ROOT) && !name.startsWith(ROOT + "jenkins.");

    /**
     * The pairs that exist today, each with the fix that removes it (not the registry package's to make while
     * other sessions write these files). Take a pair out when it is fixed; the test fails while a fixed pair
     * stays listed. Never add one: fix the new pair instead.
     */
    private static final Set<String> KNOWN = Set.of(
            // A sealed interface names the records it permits, and they implement it: one concept, the one
            // exception. (An open Manifest would lose the compiler's check that these are the only kinds.)
            "manifest.ImageIndex <-> manifest.Manifest", "manifest.ImageManifest <-> manifest.Manifest");

    @Test
    void noTwoEngineClassesReferToEachOther() throws IOException {
        Path classes = engineClasses();
        Map<String, Set<String>> uses = ClassReferences.read(classes, ENGINE);
        assertThat(uses.keySet())
                .as("engine classes read from %s", classes)
                .contains(Publisher.class.getName(), ROOT + "registry.RegistryHttp", ROOT + "registry.Authenticator")
                .hasSizeGreaterThan(100);

        List<String> pairs = ClassReferences.mutualPairs(uses).stream()
                .map(p -> p.replace(ROOT, ""))
                .toList();
        List<String> fresh = new ArrayList<>(pairs);
        fresh.removeAll(KNOWN);
        assertThat(fresh)
                .as("engine classes that refer to each other (A uses B and B uses A). Break each pair: move the"
                        + " method to the class it belongs to, merge the two if they are one concept, or let the lower"
                        + " one depend on a small interface (or a third class) instead of calling back up")
                .isEmpty();
        Set<String> fixed = new TreeSet<>(KNOWN);
        pairs.forEach(fixed::remove);
        assertThat(fixed)
                .as("pairs that no longer refer to each other: take them out of KNOWN")
                .isEmpty();
    }

    /** A check that cannot fail is worth nothing: on classes compiled here, it finds exactly the mutual pairs. */
    @Test
    void theCheckFindsClassesThatReferToEachOther(@TempDir Path dir) throws IOException {
        Path classes = compile(
                dir,
                Map.of(
                        "p/A.java", "package p; public class A { final B b = new B(); }",
                        "p/B.java", "package p; public class B { Object make() { return new A(); } }",
                        "p/C.java", "package p; public class C { Object make() { return new A(); } }",
                        // nested classes count as their top-level class; a use in a signature only counts too
                        "p/D.java", "package p; public class D { static class Inner { void take(E e) {} } }",
                        "p/E.java", "package p; public class E { Object make() { return new D(); } }",
                        "p/F.java", "package p; public class F { java.util.List<G> gs; }",
                        "p/G.java", "package p; public class G { F[] fs; }"));

        Map<String, Set<String>> uses = ClassReferences.read(classes, name -> name.startsWith("p."));

        assertThat(uses).containsKeys("p.A", "p.B", "p.C", "p.D", "p.E", "p.F", "p.G");
        assertThat(uses.get("p.C")).containsExactly("p.A");
        assertThat(uses.get("p.D")).containsExactly("p.E");
        assertThat(ClassReferences.mutualPairs(uses)).containsExactly("p.A <-> p.B", "p.D <-> p.E", "p.F <-> p.G");
    }

    /** Where {@link Publisher} was loaded from: the engine's compiled classes (target/classes). */
    private static Path engineClasses() {
        try {
            Path location = Path.of(Publisher.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            assertThat(location)
                    .as("the engine classes must be a folder, not a jar")
                    .isDirectory();
            return location;
        } catch (URISyntaxException e) {
            throw new AssertionError("cannot locate the engine classes", e);
        }
    }

    private static Path compile(Path dir, Map<String, String> sources) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK's compiler (javax.tools)").isNotNull();
        Path src = dir.resolve("src");
        Path out = Files.createDirectories(dir.resolve("classes"));
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
            files.add(file);
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean ok = javac.getTask(
                            null,
                            fm,
                            diagnostics,
                            List.of("-d", out.toString()),
                            null,
                            fm.getJavaFileObjectsFromPaths(files))
                    .call();
            assertThat(ok).as("compiled: %s", diagnostics.getDiagnostics()).isTrue();
        }
        return out;
    }
}
