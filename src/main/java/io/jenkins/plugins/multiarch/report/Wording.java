package io.jenkins.plugins.multiarch.report;

import java.util.Collection;
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
}
