package io.jenkins.plugins.multiarch;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code KEY=VALUE} entries (build args, labels, annotations) to an ordered map: the one parser of that form for
 * the CLI and the plugin. The value may contain '='; a later entry with the same key wins, as with
 * {@code docker build --build-arg}. An error names the option and the entry's position, never the entry: a build
 * arg's value may be a secret, and an entry without '=' may be nothing but the secret.
 */
public final class KeyValuePairs {

    private KeyValuePairs() {}

    /**
     * Parses {@code entries} given as {@code what} (e.g. {@code --build-arg} or {@code buildArgs}).
     *
     * @param example a well-formed entry for the error message, e.g. {@code VERSION=1.0}
     * @throws InvalidInputException for an entry without '=' or with an empty key
     */
    public static Map<String, String> parse(String what, Collection<String> entries, String example) {
        Map<String, String> map = new LinkedHashMap<>();
        if (entries == null) {
            return map;
        }
        int position = 0;
        for (String entry : entries) {
            position++;
            String e = entry == null ? "" : entry;
            int eq = e.indexOf('=');
            String key = eq < 0 ? "" : e.substring(0, eq).trim();
            if (eq < 0 || key.isEmpty()) {
                String problem = eq < 0 ? "has no '='" : "has an empty name before '='";
                throw new InvalidInputException(what + " entry " + position + " of " + entries.size() + " " + problem
                        + ": give KEY=VALUE, e.g. " + example + " (the entry is not shown: it may hold a secret)");
            }
            map.put(key, e.substring(eq + 1));
        }
        return map;
    }

    /** {@link #parse(String, Collection, String)} with the example {@code VERSION=1.0}. */
    public static Map<String, String> parse(String what, Collection<String> entries) {
        return parse(what, entries, "VERSION=1.0");
    }
}
