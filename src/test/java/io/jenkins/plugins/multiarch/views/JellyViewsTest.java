package io.jenkins.plugins.multiarch.views;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.multiarch.views.JellyViewCheck.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The plugin's views pass the checks a controller and the hosting check apply; broken views do not. */
class JellyViewsTest {

    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<?jelly escape-by-default='true'?>\n"
            + "<j:jelly xmlns:j=\"jelly:core\" xmlns:f=\"/lib/form\">\n";

    /** src/main/resources of the plugin, from the repository root (root build) or from cli/ (CLI build). */
    static Path resources() {
        String repo = System.getProperty("multiarch.repository", ".");
        for (Path p : List.of(Path.of(repo, "src/main/resources"), Path.of("../src/main/resources"))) {
            if (Files.isDirectory(p.resolve("io/jenkins/plugins/multiarch/jenkins"))) {
                return p;
            }
        }
        throw new AssertionError("the plugin's src/main/resources is not found from "
                + Path.of("").toAbsolutePath());
    }

    @Test
    void everyViewOfThePluginPasses() throws Exception {
        Path root = resources();
        try (var s = Files.walk(root)) {
            assertThat(s.filter(p -> p.toString().endsWith(".jelly")).count())
                    .as("views found under " + root)
                    .isGreaterThanOrEqualTo(8);
        }
        assertThat(JellyViewCheck.checkTree(root)).isEmpty();
    }

    @Test
    void aKeywordAsPropertyNameIsRefusedWithTheFix() {
        List<Problem> p = JellyViewCheck.check("x.jelly", HEAD + "<td>${b.size}</td>\n</j:jelly>\n");
        assertThat(p)
                .extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("${b.size}", "'size' is a JEXL keyword", ".getSize()"));
        assertThat(p).extracting(Problem::line).contains(4);
        // the parser itself refuses it too, not only the keyword rule
        assertThat(p).extracting(Problem::message).anySatisfy(m -> assertThat(m).contains("JEXL cannot parse"));
        for (String word : List.of("empty", "and", "or", "not", "div", "mod", "eq", "ne", "lt", "gt", "le", "ge")) {
            assertThat(JellyViewCheck.check("x.jelly", HEAD + "${it." + word + "}\n</j:jelly>\n"))
                    .as(word)
                    .isNotEmpty();
        }
    }

    @Test
    void whatJenkinsParsesIsAccepted() {
        String ok = HEAD
                + "<j:if test=\"${b.getSize() > 0 and !it.images.isEmpty()}\">${b.getSize()}</j:if>\n"
                + "${image.builds.size()} ${size(image.builds)} ${empty(x)} ${it.run.fullDisplayName}\n"
                + "<f:textarea value=\"${instance == null ? '' : descriptor.joinLines(instance.tags)}\"/>\n"
                + "${a ?: 'none'} ${x == 'a}b' ? 1 : 2} ${%Text(it.name, b.getSize())} ${%plain text, with comma}\n"
                + "</j:jelly>\n";
        assertThat(JellyViewCheck.check("ok.jelly", ok)).isEmpty();
    }

    @Test
    void syntaxErrorsAndMissingDeclarationsAreRefused() {
        assertThat(JellyViewCheck.check("x.jelly", HEAD + "${a +}\n</j:jelly>\n"))
                .extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("JEXL cannot parse 'a +'"));
        assertThat(JellyViewCheck.check("x.jelly", HEAD + "${a ? b}\n</j:jelly>\n"))
                .isNotEmpty();
        assertThat(JellyViewCheck.check("x.jelly", HEAD + "${%Text(a.size)}\n</j:jelly>\n"))
                .isNotEmpty();
        assertThat(JellyViewCheck.check("x.jelly", HEAD + "${%Image size (compressed)}\n</j:jelly>\n"))
                .extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("parentheses after a space are read as arguments"));
        assertThat(JellyViewCheck.check("x.jelly", HEAD + "<td>\n</j:jelly>\n"))
                .extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).startsWith("not well-formed XML"));
        assertThat(JellyViewCheck.check("x.jelly", "<j:jelly xmlns:j=\"jelly:core\">${it.name}</j:jelly>\n"))
                .extracting(Problem::message)
                .containsExactly("no <?jelly escape-by-default='true'?>: add it after the XML declaration");
    }

    @Test
    void theHostingChecksJellyRulesAreApplied() {
        String bad = HEAD
                + "<style>td {color: red}</style>\n"
                + "<script>alert(1)</script>\n"
                + "<script src=\"x.js\"/><script type=\"application/json\">{}</script>\n"
                + "<f:textbox checkUrl=\"x\"/>\n"
                + "<a onclick=\"go()\">x</a>\n"
                + "</j:jelly>\n";
        assertThat(JellyViewCheck.check("bad.jelly", bad))
                .extracting(Problem::line)
                .containsExactly(4, 5, 7, 8);
    }

    @Test
    void ternaryOperandsAreSplitAtTheTopLevelOnly() {
        assertThat(JellyViewCheck.ternaryOperands("a ? f(b ? c : d) : 'x:y'"))
                .containsExactly("a ", " f(b ? c : d) ", " 'x:y'");
        assertThat(JellyViewCheck.ternaryOperands("a ?: b")).containsExactly("a ", " b");
        assertThat(JellyViewCheck.ternaryOperands("a ? b ? c : d : e"))
                .containsExactly("a ", " b ", " c ", " d ", " e");
    }
}
