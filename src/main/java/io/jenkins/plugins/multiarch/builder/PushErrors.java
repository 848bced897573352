package io.jenkins.plugins.multiarch.builder;

import java.util.regex.Pattern;

/** Reads a push failure's text (buildah's output, the engine's error) the same way for both builders. */
final class PushErrors {

    /**
     * Words registries and clients use when credentials are missing or wrong. A bare 401 counts only as a
     * number of its own: push output is full of hex digests, which may contain "401".
     */
    private static final Pattern AUTH = Pattern.compile(
            "unauthorized|authentication required|denied|(?<![0-9A-Za-z])401(?![0-9A-Za-z])", Pattern.CASE_INSENSITIVE);

    private PushErrors() {}

    /** Whether the registry refused the push for lack of (valid) credentials or permissions. */
    static boolean isAuthFailure(String text) {
        return text != null && AUTH.matcher(text).find();
    }
}
