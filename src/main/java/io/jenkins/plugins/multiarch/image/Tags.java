package io.jenkins.plugins.multiarch.image;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The tags a list goes under, checked once for every entry point (the CLI's {@code --tag}, the steps'
 * {@code tags}, their form checks): at least one, each by the reference grammar's tag rule, none twice.
 */
public final class Tags {

    private static final ImageReference ANY_REPOSITORY = ImageReference.parse("registry.example/repository");

    private Tags() {}

    /** The tags in order, or the first rule they break. */
    public static List<String> parse(Collection<String> tags) {
        List<String> out = new ArrayList<>();
        if (tags != null) {
            for (String tag : tags) {
                out.add(parseOne(tag));
            }
        }
        if (out.isEmpty()) {
            throw new InvalidInputException("at least one tag is required, e.g. 1.0");
        }
        if (new LinkedHashSet<>(out).size() != out.size()) {
            throw new InvalidInputException("tags " + out + " name the same tag twice: give each tag once");
        }
        return List.copyOf(out);
    }

    /** One tag: letters, digits, '_', '.', '-', not starting with '.' or '-', at most 128 characters. */
    public static String parseOne(String tag) {
        if (tag == null || tag.isBlank()) {
            throw new InvalidInputException("a tag is empty: give each tag, e.g. 1.0");
        }
        try {
            ANY_REPOSITORY.withTag(tag); // the reference grammar's tag rule, one place for it
        } catch (InvalidInputException e) {
            String why = e.getMessage(); // "invalid image reference 'R:TAG': RULE, e.g. EXAMPLE"
            int rule = why.indexOf("': ");
            throw new InvalidInputException(
                    "tag '" + tag + "' is invalid: " + (rule < 0 ? why : why.substring(rule + 3)), e);
        }
        return tag;
    }
}
