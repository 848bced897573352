package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code .dockerignore} file with Docker's matching rules (moby/patternmatcher): one pattern a line,
 * {@code #} comments, patterns cleaned like a path and made relative to the context root, {@code *} and
 * {@code ?} never crossing a {@code /}, {@code **} crossing any number of directories, {@code !} exceptions,
 * the last matching line wins, and a path is excluded when it or one of its parent directories matches.
 */
final class DockerIgnore {

    private record Rule(String pattern, boolean exception, Pattern regex) {
        boolean matches(String path) {
            return regex.matcher(path).matches();
        }
    }

    static final DockerIgnore EMPTY = new DockerIgnore(List.of());

    private final List<Rule> rules;

    private DockerIgnore(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Reads {@code context/.dockerignore}; no file means nothing is ignored. */
    static DockerIgnore load(Path context) {
        Path file = context.resolve(".dockerignore");
        if (!Files.isRegularFile(file)) {
            return EMPTY;
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException(
                    "cannot read " + file + ": " + e.getMessage() + "; make it readable or remove it", e);
        }
    }

    static DockerIgnore parse(String content) {
        List<String> lines = new ArrayList<>();
        for (String raw : content.split("\r?\n", -1)) {
            lines.add(raw);
        }
        return of(lines);
    }

    /** Builds a matcher from pattern lines as they appear in the file. */
    static DockerIgnore of(List<String> lines) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            boolean exception = false;
            if (line.startsWith("!")) {
                exception = true;
                line = line.substring(1).strip();
                if (line.isEmpty()) {
                    throw new InvalidInputException(
                            ".dockerignore line '" + raw + "' is an exception ('!') with no pattern: "
                                    + "remove the line or add a pattern after '!'");
                }
            }
            String cleaned = clean(line);
            if (cleaned.length() > 1 && cleaned.startsWith("/")) {
                cleaned = cleaned.substring(1);
            }
            rules.add(new Rule(cleaned, exception, compile(cleaned, raw)));
        }
        return new DockerIgnore(rules);
    }

    /** A copy with exceptions appended, e.g. so that the Dockerfile and .dockerignore are always sent (as the docker CLI does). */
    DockerIgnore withExceptions(List<String> paths) {
        List<Rule> all = new ArrayList<>(rules);
        for (String p : paths) {
            String cleaned = clean(p);
            all.add(new Rule(cleaned, true, Pattern.compile(Pattern.quote(cleaned))));
        }
        return new DockerIgnore(all);
    }

    boolean isEmpty() {
        return rules.isEmpty();
    }

    /** True when some exception pattern exists: then excluded directories must still be walked. */
    boolean hasExceptions() {
        return rules.stream().anyMatch(Rule::exception);
    }

    /** Whether {@code relativePath} (with '/' separators, relative to the context root) is left out of the context. */
    boolean isExcluded(String relativePath) {
        String file = clean(relativePath);
        String parent = file.contains("/") ? file.substring(0, file.lastIndexOf('/')) : ".";
        String[] parentDirs = parent.split("/");
        boolean matched = false;
        for (Rule rule : rules) {
            // An inclusion can only change an unmatched path, an exception only a matched one.
            if (rule.exception() != matched) {
                continue;
            }
            boolean match = rule.matches(file);
            if (!match && !parent.equals(".")) {
                StringBuilder prefix = new StringBuilder();
                for (String dir : parentDirs) {
                    if (prefix.length() > 0) {
                        prefix.append('/');
                    }
                    prefix.append(dir);
                    if (rule.matches(prefix.toString())) {
                        match = true;
                        break;
                    }
                }
            }
            if (match) {
                matched = !rule.exception();
            }
        }
        return matched;
    }

    /** Go's filepath.Clean on '/'-separated paths. */
    static String clean(String path) {
        if (path.isEmpty()) {
            return ".";
        }
        boolean rooted = path.startsWith("/");
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                    out.remove(out.size() - 1);
                } else if (!rooted) {
                    out.add("..");
                }
                continue;
            }
            out.add(part);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /** The regular expression patternmatcher builds from a cleaned pattern. */
    private static Pattern compile(String pattern, String raw) {
        StringBuilder re = new StringBuilder("^");
        int n = pattern.length();
        for (int i = 0; i < n; i++) {
            char ch = pattern.charAt(i);
            if (ch == '*') {
                if (i + 1 < n && pattern.charAt(i + 1) == '*') {
                    i++;
                    if (i + 1 < n && pattern.charAt(i + 1) == '/') {
                        i++; // "**/" is treated as "**"
                    }
                    if (i + 1 >= n) {
                        re.append(".*");
                    } else {
                        re.append("(.*/)?");
                    }
                } else {
                    re.append("[^/]*");
                }
            } else if (ch == '?') {
                re.append("[^/]");
            } else if (ch == '\\') {
                if (i + 1 < n) {
                    re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
                } else {
                    re.append("\\\\");
                }
            } else if (ch == '[' || ch == ']') {
                re.append(ch);
            } else if (ch == '^' && re.length() > 0 && re.charAt(re.length() - 1) == '[') {
                re.append('^'); // Go's [^...] negation
            } else if ("$^.+(){}|".indexOf(ch) >= 0) {
                re.append('\\').append(ch);
            } else {
                re.append(ch);
            }
        }
        re.append('$');
        try {
            return Pattern.compile(re.toString());
        } catch (PatternSyntaxException e) {
            throw new InvalidInputException(
                    ".dockerignore pattern '" + raw.strip() + "' is malformed (" + e.getDescription()
                            + "): fix the brackets or escape them with '\\'",
                    e);
        }
    }

    @Override
    public String toString() {
        return rules.stream()
                .map(r -> (r.exception() ? "!" : "") + r.pattern())
                .toList()
                .toString();
    }
}
