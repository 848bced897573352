package io.jenkins.plugins.multiarch.report;

import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How lists of names read on the plugin's pages and in messages: words, not {@code List.toString()}'s brackets,
 * and one command per line where a page shows commands to copy. Counted words (1 platform, 2 platforms) are not
 * here: they are choice formats in the plugin's Messages.properties, as Jenkins core writes its own plurals.
 */
public final class Wording {

    private Wording() {}

    /** {@code "linux/amd64, linux/arm64"}; empty for none. */
    public static String list(Collection<?> items) {
        if (items == null) {
            return "";
        }
        return items.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    /**
     * One item per line, for a {@code <pre>}: Jelly trims the text of a view around its expressions (a newline
     * written inside a loop is lost), never the value of an expression, so the lines are joined here.
     */
    public static String lines(Collection<?> items) {
        if (items == null) {
            return "";
        }
        return items.stream().map(String::valueOf).collect(Collectors.joining("\n"));
    }

    /** Hex digits a short digest keeps: as many as {@code docker images} shows of an image id. */
    static final int SHORT_HEX = 12;

    /**
     * A size for people, in binary units as registries and {@code docker images} count them: {@code "758 B"},
     * {@code "1.5 KiB"}, {@code "12.3 MiB"}; {@code "unknown"} for a negative size (not recorded).
     */
    public static String size(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /**
     * {@code "sha256:0123456789ab"}: the algorithm and the first 12 hex digits, for tables that must fit a screen
     * (the full digest stays on hover, in a copy button and in the JSON). Anything else is returned as it is.
     */
    public static String shortDigest(String digest) {
        if (digest == null) {
            return "";
        }
        int colon = digest.indexOf(':');
        if (colon < 0 || digest.length() - colon - 1 <= SHORT_HEX) {
            return digest;
        }
        return digest.substring(0, colon + 1 + SHORT_HEX);
    }
}
