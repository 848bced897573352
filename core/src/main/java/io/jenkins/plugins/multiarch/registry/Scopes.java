package io.jenkins.plugins.multiarch.registry;

import java.util.LinkedHashSet;
import java.util.Set;

/** Token scopes as the Docker token spec writes them: {@code repository:NAME:ACTIONS}. */
final class Scopes {

    private Scopes() {
    }

    static String pull(String repository) {
        return "repository:" + repository + ":pull";
    }

    static String pullPush(String repository) {
        return "repository:" + repository + ":pull,push";
    }

    static Set<String> of(String... scopes) {
        return Set.copyOf(new LinkedHashSet<>(java.util.List.of(scopes)));
    }

    /** A mount needs push on the target and pull on the source: two scopes, one token. */
    static Set<String> mount(String target, String source) {
        if (target.equals(source)) {
            return Set.of(pullPush(target));
        }
        return Set.of(pullPush(target), pull(source));
    }
}
