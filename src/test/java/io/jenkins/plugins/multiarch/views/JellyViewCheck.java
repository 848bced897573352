package io.jenkins.plugins.multiarch.views;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.parsers.SAXParserFactory;
import org.apache.commons.jexl.ExpressionFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.Locator;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * What a Jenkins controller does to a Jelly view before it can render it, done here without Jenkins: the
 * file must be well-formed XML, declare {@code escape-by-default}, and every {@code ${...}} must parse as
 * JEXL parses it, or Stapler fails to compile the view and the whole page answers 404. Also the rules of
 * the hosting check's JellyVerifier (no {@code <style>}, no inline {@code <script>}, no {@code checkUrl}
 * without {@code checkDependsOn}) and ours (no {@code on*} attributes).
 *
 * <p>Jenkins parses with its fork of commons-jexl 1.1, which adds {@code a ? b : c} and {@code a ?: b}.
 * Where the parser on the class path is Apache's 1.1 (the CLI build: the fork is not on Maven Central),
 * the operands of those two operators are parsed one by one.
 */
public final class JellyViewCheck {

    /** A problem, at a line of a file. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    /**
     * JEXL 1.1's keywords (Parser.jjt): none can be a property name, so {@code ${b.size}} does not parse.
     * {@code x.size()} is JEXL's own size method and is fine.
     */
    static final Set<String> RESERVED = Set.of(
            "size", "empty", "and", "or", "not", "div", "mod", "eq", "ne", "lt", "gt", "le", "ge", "null", "true",
            "false", "new", "if", "else", "while", "foreach", "in");

    private static final Pattern PROPERTY = Pattern.compile("\\.\\s*([A-Za-z_$][A-Za-z0-9_$]*)");
    private static final boolean PARSER_HAS_TERNARY = parses("a ? b : c") && parses("a ?: b");

    private JellyViewCheck() {}

    /** Every problem of one Jelly file; {@code name} is how problems name it. */
    public static List<Problem> check(String name, String text) {
        List<Problem> problems = new ArrayList<>();
        if (!text.contains("<?jelly escape-by-default='true'?>")
                && !text.contains("<?jelly escape-by-default=\"true\"?>")) {
            problems.add(
                    new Problem(name, 1, "no <?jelly escape-by-default='true'?>: add it after the XML declaration"));
        }
        Elements elements = new Elements(name, problems);
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(true);
            f.newSAXParser().parse(new InputSource(new StringReader(text)), elements);
        } catch (SAXParseException e) {
            problems.add(new Problem(name, e.getLineNumber(), "not well-formed XML: " + e.getMessage()));
        } catch (SAXException | IOException | ParserConfigurationException e) {
            problems.add(new Problem(name, 0, "cannot be read as XML: " + e.getMessage()));
        }
        for (Expression e : expressions(text)) {
            problems.addAll(checkExpression(name, e));
        }
        return problems;
    }

    /** Every problem of the Jelly files under {@code root}. */
    public static List<Problem> checkTree(Path root) throws IOException {
        List<Problem> problems = new ArrayList<>();
        List<Path> files;
        try (var s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".jelly")).sorted().toList();
        }
        for (Path p : files) {
            problems.addAll(check(root.relativize(p).toString(), Files.readString(p, StandardCharsets.UTF_8)));
        }
        return problems;
    }

    /** A {@code ${...}} of a file: its body and the line it starts on. */
    record Expression(String body, int line) {}

    /**
     * The {@code ${...}} of a text as Jelly's CompositeExpression finds them: a {@code }} inside a quoted
     * string does not end one. {@code ${%...}} is Stapler's localisation: its arguments are JEXL, its text
     * is not.
     */
    static List<Expression> expressions(String text) {
        List<Expression> found = new ArrayList<>();
        int i = 0;
        while ((i = text.indexOf("${", i)) >= 0) {
            int start = i + 2;
            int j = start;
            char quote = 0;
            for (; j < text.length(); j++) {
                char c = text.charAt(j);
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '}') {
                    break;
                }
            }
            int line = 1
                    + (int) text.substring(0, i).chars().filter(c -> c == '\n').count();
            found.add(new Expression(text.substring(start, Math.min(j, text.length())), line));
            i = j + 1;
        }
        return found;
    }

    private static List<Problem> checkExpression(String file, Expression e) {
        List<Problem> problems = new ArrayList<>();
        String body = e.body();
        if (body.startsWith("%")) {
            // ${%Text(arg, ...)}: each argument is a JEXL expression
            int open = body.indexOf('(');
            if (open < 0) {
                return problems;
            }
            if (!body.endsWith(")")) {
                problems.add(new Problem(file, e.line(), "${" + body + "}: localised text with unclosed arguments"));
                return problems;
            }
            if (body.charAt(open - 1) == ' ') {
                // Stapler reads "(...)" as the arguments: "${%Size (compressed)}" shows "Size " and evaluates
                // "compressed" as a variable. Prose in parentheses loses its words.
                problems.add(new Problem(
                        file,
                        e.line(),
                        "${" + body + "}: parentheses after a space are read as arguments and their text is"
                                + " dropped; write the words without parentheses (e.g. with a comma)"));
                return problems;
            }
            for (String arg : splitTopLevel(body.substring(open + 1, body.length() - 1), ',')) {
                problems.addAll(checkJexl(file, e.line(), body, arg.trim()));
            }
            return problems;
        }
        return checkJexl(file, e.line(), body, body);
    }

    private static List<Problem> checkJexl(String file, int line, String whole, String jexl) {
        List<Problem> problems = new ArrayList<>();
        Matcher m = PROPERTY.matcher(withoutStrings(jexl));
        while (m.find()) {
            String word = m.group(1);
            String after = withoutStrings(jexl).substring(m.end()).stripLeading();
            if (RESERVED.contains(word) && !after.startsWith("(")) {
                String getter = "get" + Character.toUpperCase(word.charAt(0)) + word.substring(1) + "()";
                problems.add(new Problem(
                        file,
                        line,
                        "${" + whole + "}: '" + word + "' is a JEXL keyword and cannot be a property name; write ."
                                + getter));
            }
        }
        if (jexl.isEmpty()) {
            problems.add(new Problem(file, line, "${" + whole + "}: empty expression"));
        } else if (!parsesAsJenkins(jexl)) {
            problems.add(new Problem(file, line, "${" + whole + "}: JEXL cannot parse '" + jexl + "'"));
        }
        return problems;
    }

    private static boolean parsesAsJenkins(String jexl) {
        if (PARSER_HAS_TERNARY) {
            return parses(jexl);
        }
        List<String> operands = ternaryOperands(jexl);
        return operands.stream().allMatch(o -> !o.isBlank() && parses(o));
    }

    private static boolean parses(String jexl) {
        try {
            ExpressionFactory.createExpression(jexl);
            return true;
        } catch (Exception e) { // ParseException, or the fork's JexlException wrapping a TokenMgrError
            return false;
        } catch (Error e) {
            if (e.getClass().getSimpleName().equals("TokenMgrError")) { // Apache 1.1: an unknown character
                return false;
            }
            throw e; // a broken class path is no verdict on the view
        }
    }

    /**
     * The operands of the fork's {@code ?:} and {@code ? :} at the top level of an expression (outside
     * strings and brackets), or the expression itself.
     */
    static List<String> ternaryOperands(String jexl) {
        String masked = withoutStrings(jexl);
        int depth = 0;
        for (int i = 0; i < masked.length(); i++) {
            char c = masked.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == '?' && depth == 0) {
                List<String> out = new ArrayList<>();
                out.add(jexl.substring(0, i));
                int colon = topLevelColon(masked, i + 1);
                if (colon < 0) {
                    out.add(""); // '?' without ':' is no expression of the fork either
                    return out;
                }
                if (masked.substring(i + 1, colon).isBlank()) {
                    out.addAll(ternaryOperands(jexl.substring(colon + 1))); // elvis a ?: b
                } else {
                    out.addAll(ternaryOperands(jexl.substring(i + 1, colon)));
                    out.addAll(ternaryOperands(jexl.substring(colon + 1)));
                }
                return out;
            }
        }
        return List.of(jexl);
    }

    private static int topLevelColon(String masked, int from) {
        int depth = 0;
        int nested = 0; // a ? inside the middle operand takes the next ':'
        for (int i = from; i < masked.length(); i++) {
            char c = masked.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (depth == 0 && c == '?') {
                nested++;
            } else if (depth == 0 && c == ':') {
                if (nested == 0) {
                    return i;
                }
                nested--;
            }
        }
        return -1;
    }

    /** The expression with the insides of its string literals blanked, same length. */
    private static String withoutStrings(String jexl) {
        StringBuilder b = new StringBuilder(jexl.length());
        char quote = 0;
        for (char c : jexl.toCharArray()) {
            if (quote != 0) {
                b.append(c == quote ? c : ' ');
                if (c == quote) {
                    quote = 0;
                }
            } else {
                if (c == '\'' || c == '"') {
                    quote = c;
                }
                b.append(c);
            }
        }
        return b.toString();
    }

    private static List<String> splitTopLevel(String s, char sep) {
        List<String> parts = new ArrayList<>();
        String masked = withoutStrings(s);
        int depth = 0;
        int from = 0;
        for (int i = 0; i < masked.length(); i++) {
            char c = masked.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == sep && depth == 0) {
                parts.add(s.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** The element rules: the hosting check's JellyVerifier and no inline event handlers. */
    private static final class Elements extends DefaultHandler {
        private final String file;
        private final List<Problem> problems;
        private Locator locator;

        Elements(String file, List<Problem> problems) {
            this.file = file;
            this.problems = problems;
        }

        @Override
        public void setDocumentLocator(Locator locator) {
            this.locator = locator;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes atts) {
            int line = locator == null ? 0 : locator.getLineNumber();
            if (localName.equals("style")) {
                problems.add(new Problem(
                        file,
                        line,
                        "<style>: inline CSS is refused by the hosting check; use a "
                                + "stylesheet (st:adjunct) or Jenkins' own classes"));
            }
            if (localName.equals("script")
                    && atts.getValue("src") == null
                    && !"application/json".equals(atts.getValue("type"))) {
                problems.add(new Problem(
                        file,
                        line,
                        "<script> without src: inline script is refused by the "
                                + "hosting check; use st:adjunct or a script file"));
            }
            if (atts.getValue("checkUrl") != null && atts.getValue("checkDependsOn") == null) {
                problems.add(new Problem(
                        file,
                        line,
                        "checkUrl without checkDependsOn: add checkDependsOn=\"\" " + "or the fields the check reads"));
            }
            for (int i = 0; i < atts.getLength(); i++) {
                String a = atts.getLocalName(i);
                if (a.length() > 2 && a.startsWith("on") && Character.isLowerCase(a.charAt(2))) {
                    problems.add(new Problem(
                            file,
                            line,
                            "attribute " + a + ": no inline event handlers (CSP); "
                                    + "attach behaviour from a script file"));
                }
            }
        }
    }
}
