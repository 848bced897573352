package io.jenkins.plugins.multiarch.views;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Two traps of Jelly views that render but read wrong, checked on every view of the plugin:
 * <ul>
 *   <li>core's lib/hudson/summary.jelly wraps its whole body in one {@code <a>} when {@code href} is given, so
 *       nothing in the summary (a digest) can be selected: a summary links from inside its body instead;
 *   <li>Jelly trims the text of an element that holds an expression, so a newline written inside a loop in a
 *       {@code <pre>} is lost and the lines run together: a {@code <pre>} shows one joined value.
 * </ul>
 */
class ReviewerViewRulesTest {

    private static final String CORE = "jelly:core";
    private static final String HUDSON = "/lib/hudson";

    private static List<Path> views() throws Exception {
        try (var s = Files.walk(JellyViewsTest.resources())) {
            return s.filter(p -> p.toString().endsWith(".jelly")).sorted().toList();
        }
    }

    private static Document parse(Path view) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(view.toFile());
    }

    private static List<Element> elements(Node root, String namespace, String localName) {
        List<Element> found = new ArrayList<>();
        NodeList all = root instanceof Document d
                ? d.getElementsByTagNameNS(namespace, localName)
                : ((Element) root).getElementsByTagNameNS(namespace, localName);
        for (int i = 0; i < all.getLength(); i++) {
            found.add((Element) all.item(i));
        }
        return found;
    }

    @Test
    void noSummaryIsOneBigLink() throws Exception {
        List<String> problems = new ArrayList<>();
        int summaries = 0;
        for (Path view : views()) {
            for (Element summary : elements(parse(view), HUDSON, "summary")) {
                summaries++;
                if (summary.hasAttribute("href") && !"true".equals(summary.getAttribute("iconOnly"))) {
                    problems.add(view.getFileName() + ": t:summary href=" + summary.getAttribute("href"));
                }
                if (elements(summary, "", "a").isEmpty()) {
                    problems.add(view.getFileName() + ": t:summary without a link to its details");
                }
            }
        }
        assertThat(summaries).as("t:summary views found").isPositive();
        assertThat(problems).isEmpty();
    }

    @Test
    void noPreIsFilledByALoop() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Path view : views()) {
            for (Element pre : elements(parse(view), "", "pre")) {
                if (!elements(pre, CORE, "forEach").isEmpty()) {
                    problems.add(view.getFileName() + ": j:forEach inside <pre> (its newlines are trimmed away)");
                }
            }
        }
        assertThat(problems).isEmpty();
    }
}
