package io.jenkins.plugins.multiarch.jenkins;

import io.jenkins.plugins.multiarch.KeyValuePairs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Small conversions between the forms' text areas, the steps' lists and core's maps. */
final class Lists {

    private Lists() {}

    /** Non-blank trimmed lines of a text area. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        if (text != null) {
            for (String line : text.split("\\r?\\n")) {
                if (!line.isBlank()) {
                    out.add(line.trim());
                }
            }
        }
        return out;
    }

    /** Words separated by commas or white space (a list of registries). */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        if (text != null) {
            for (String w : text.split("[,\\s]+")) {
                if (!w.isBlank()) {
                    out.add(w.trim());
                }
            }
        }
        return out;
    }

    static String join(Collection<String> values) {
        return values == null ? "" : String.join("\n", values);
    }

    static List<String> copy(List<String> values) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                if (v != null && !v.isBlank()) {
                    out.add(v.trim());
                }
            }
        }
        return out;
    }

    /** {@code NAME=VALUE} entries (as {@code withEnv} takes them) to a map: the engine's parser, which never echoes a value. */
    static Map<String, String> pairs(List<String> entries, String what) {
        return KeyValuePairs.parse(what, entries);
    }
}
