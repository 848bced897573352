package io.jenkins.plugins.multiarch.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a failed registry response into an exception whose message names the operation, what the registry
 * said (its {@code errors[]}: code, message, detail) and what to do about it. 401 and 403 become
 * {@link RegistryAuthenticationException}.
 */
final class RegistryErrors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryErrors() {}

    record RegistryError(String code, String message, String detail) {
        @Override
        public String toString() {
            StringBuilder out = new StringBuilder(code.isEmpty() ? "error" : code);
            if (!message.isEmpty()) {
                out.append(": ").append(message);
            }
            if (!detail.isEmpty()) {
                out.append(" (").append(detail).append(')');
            }
            return out.toString();
        }
    }

    /** The {@code errors[]} of a distribution error body; empty when the body is not one. */
    static List<RegistryError> parse(byte[] body) {
        List<RegistryError> out = new ArrayList<>();
        if (body == null || body.length == 0) {
            return out;
        }
        try {
            JsonNode errors = JSON.readTree(body).path("errors");
            for (JsonNode e : errors) {
                JsonNode detail = e.path("detail");
                String detailText = detail.isMissingNode() || detail.isNull()
                        ? ""
                        : detail.isTextual() ? detail.asText() : detail.toString();
                out.add(new RegistryError(
                        e.path("code").asText(""), e.path("message").asText(""), truncate(detailText, 300)));
            }
        } catch (Exception notJson) {
            // Not a distribution error body; the status line has to do.
        }
        return out;
    }

    /**
     * The exception for a final non-success reply.
     *
     * @param operation what we tried, naming the reference, e.g. "fetch manifest 127.0.0.1:5000/app:1.0"
     * @param repository the repository involved, for hints
     */
    static RegistryException failure(String operation, Endpoint endpoint, String repository, Reply reply) {
        List<RegistryError> errors = parse(reply.body);
        StringBuilder message =
                new StringBuilder(operation).append(" failed: HTTP ").append(reply.status);
        if (!errors.isEmpty()) {
            message.append(' ');
            for (int i = 0; i < errors.size() && i < 3; i++) {
                message.append(i == 0 ? "" : "; ").append(errors.get(i));
            }
        } else if (reply.body != null && reply.body.length > 0 && isText(reply)) {
            message.append(' ').append(truncate(oneLine(new String(reply.body, StandardCharsets.UTF_8)), 200));
        }
        if (reply.attempts > 1) {
            message.append(" (after ").append(reply.attempts).append(" attempts)");
        }
        if (speaksHttps(endpoint, reply, errors)) {
            message.append(". ")
                    .append(endpoint.registry())
                    .append(" speaks HTTPS, not the plain HTTP it was sent because it is named an insecure registry:"
                            + " stop naming it insecure (--insecure-registry); if its certificate is self-signed, trust"
                            + " it with --ca-file (in Jenkins: the agent's or controller's trust store)");
        } else {
            message.append(". ").append(hint(reply.status, errors, endpoint.registry(), repository));
        }
        if (reply.status == 401 || reply.status == 403) {
            return new RegistryAuthenticationException(message.toString(), reply.status);
        }
        return new RegistryException(
                message.toString(),
                reply.status,
                errors.stream().map(RegistryError::code).toList(),
                null);
    }

    static String hint(int status, List<RegistryError> errors, String host, String repository) {
        String code = errors.isEmpty() ? "" : errors.get(0).code();
        switch (code) {
            case "UNAUTHORIZED":
                return "Check the credentials for " + host + ".";
            case "DENIED":
                return "The credentials for " + host + " are not allowed to do this on " + repository
                        + ": check the account's permissions (pushing needs write access).";
            case "MANIFEST_UNKNOWN":
                return "Check that the tag or digest exists in " + host + "/" + repository + ".";
            case "NAME_UNKNOWN":
                return "Check the repository name: " + repository + " is not known to " + host + ".";
            case "BLOB_UNKNOWN":
                return "The blob is not in " + host + "/" + repository + ".";
            case "MANIFEST_BLOB_UNKNOWN":
                return "Push what the manifest references (config, layers or child manifests) to " + host + "/"
                        + repository + " first.";
            case "MANIFEST_INVALID":
            case "UNSUPPORTED":
                return "The registry refused this manifest's content or media type.";
            case "DIGEST_INVALID":
                return "The content did not match its digest on the way; try again.";
            case "TOOMANYREQUESTS":
                return "The registry is rate limiting this client; try again later.";
            default:
                break;
        }
        if (status == 401) {
            return "Check the credentials for " + host + ".";
        }
        if (status == 403) {
            return "The credentials for " + host + " are not allowed to do this on " + repository + ".";
        }
        if (status == 404) {
            return "Check that " + host + "/" + repository + " and the tag or digest exist.";
        }
        if (status == 429) {
            return "The registry is rate limiting this client; try again later.";
        }
        if (status >= 500) {
            return "The registry failed; try again later or check the registry's logs.";
        }
        return "Check the request and the registry's documentation.";
    }

    /**
     * A TLS server's answer to plain HTTP: Go's (distribution, Harbor, Zot) is a bare 400 "Client sent an HTTP
     * request to an HTTPS server", nginx's a 400 page "The plain HTTP request was sent to HTTPS port".
     */
    private static boolean speaksHttps(Endpoint endpoint, Reply reply, List<RegistryError> errors) {
        if (endpoint.isHttps() || reply.status != 400 || !errors.isEmpty() || reply.body == null) {
            return false;
        }
        String body = new String(reply.body, StandardCharsets.UTF_8);
        return body.contains("HTTP request to an HTTPS server")
                || body.contains("plain HTTP request was sent to HTTPS");
    }

    private static boolean isText(Reply reply) {
        String type = reply.header("Content-Type").orElse("");
        return type.startsWith("text/") || type.contains("json");
    }

    static String oneLine(String s) {
        return s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }

    static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
