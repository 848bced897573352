package io.jenkins.plugins.multiarch.registry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Credentials from Docker's {@code config.json}, as {@code docker login} writes them: the {@code auths}
 * entries, keyed {@code host[:port]} or {@code https://index.docker.io/v1/} for Docker Hub, holding either
 * {@code auth} (base64 of {@code user:password}) or {@code username} and {@code password}.
 *
 * <p>Credential helpers ({@code credsStore}, {@code credHelpers}) are not run: the engine does not start
 * external programs to obtain secrets. When a host's credentials live in a helper, a lookup says so on
 * the listener and returns nothing, so the registry's refusal that follows is understood.
 */
public final class DockerConfigCredentials implements CredentialsSource {

    private final Path file;
    private final Map<String, Entry> entries;
    private final String credsStore;
    private final Map<String, String> credHelpers;
    private final LogListener listener;
    private final Set<String> warned = Collections.synchronizedSet(new HashSet<>());

    private record Entry(String username, char[] password, boolean identityToken) {}

    private DockerConfigCredentials(
            Path file,
            Map<String, Entry> entries,
            String credsStore,
            Map<String, String> credHelpers,
            LogListener listener) {
        this.file = file;
        this.entries = entries;
        this.credsStore = credsStore;
        this.credHelpers = credHelpers;
        this.listener = listener;
    }

    /** Reads {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}; no file means no credentials. */
    public static DockerConfigCredentials fromEnvironment(LogListener listener) {
        return load(locate(System.getenv(), Path.of(System.getProperty("user.home"))), listener);
    }

    /** Where Docker keeps its config: {@code DOCKER_CONFIG} (a directory) when set, else {@code HOME/.docker}. */
    static Path locate(Map<String, String> env, Path home) {
        String dir = env.get("DOCKER_CONFIG");
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir).resolve("config.json");
        }
        return home.resolve(".docker").resolve("config.json");
    }

    /** Reads this config.json. A missing file gives no credentials; an unreadable one is an input error. */
    public static DockerConfigCredentials load(Path configJson, LogListener listener) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readAllBytes(configJson));
        } catch (NoSuchFileException e) {
            return new DockerConfigCredentials(configJson, Map.of(), null, Map.of(), listener);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the offending text, which may be the password: give only where it is.
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidInputException("cannot read Docker config " + configJson + ": it is not valid JSON" + where
                    + "; fix the JSON (as docker login writes it) or point DOCKER_CONFIG elsewhere");
        } catch (IOException e) {
            throw new InvalidInputException(
                    "cannot read Docker config " + configJson + ": "
                            + e.getClass().getSimpleName()
                            + "; check that the file is readable, or point DOCKER_CONFIG elsewhere",
                    e);
        }
        if (root == null || !root.isObject()) {
            throw new InvalidInputException("cannot read Docker config " + configJson
                    + ": it is not a JSON object; fix it or point DOCKER_CONFIG elsewhere");
        }
        Map<String, Entry> entries = new HashMap<>();
        JsonNode auths = root.path("auths");
        for (Map.Entry<String, JsonNode> field : auths.properties()) {
            Entry entry = parseEntry(configJson, field.getKey(), field.getValue());
            String host = RegistryHosts.normalize(field.getKey());
            // An entry with credentials beats an empty placeholder written for a helper.
            if (entry != null || !entries.containsKey(host)) {
                entries.put(host, entry);
            }
        }
        String store = root.path("credsStore").asText("");
        Map<String, String> helpers = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : root.path("credHelpers").properties()) {
            helpers.put(
                    RegistryHosts.normalize(field.getKey()), field.getValue().asText(""));
        }
        return new DockerConfigCredentials(configJson, entries, store.isEmpty() ? null : store, helpers, listener);
    }

    private static Entry parseEntry(Path file, String key, JsonNode node) {
        String auth = node.path("auth").asText("");
        if (!auth.isEmpty()) {
            byte[] decoded;
            try {
                decoded = Base64.getDecoder().decode(auth.strip());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("Docker config " + file + ": the auth of '" + key
                        + "' is not base64; run docker login " + key + " again");
            }
            String pair = new String(decoded, StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            if (colon <= 0) {
                throw new InvalidInputException("Docker config " + file + ": the auth of '" + key
                        + "' is not base64 of user:password; run docker login " + key + " again");
            }
            return new Entry(pair.substring(0, colon), pair.substring(colon + 1).toCharArray(), false);
        }
        String user = node.path("username").asText("");
        String password = node.path("password").asText("");
        if (!user.isEmpty() && !password.isEmpty()) {
            return new Entry(user, password.toCharArray(), false);
        }
        if (!node.path("identitytoken").asText("").isEmpty()) {
            return new Entry("", new char[0], true);
        }
        return null;
    }

    /** The config file this was read from. */
    public Path file() {
        return file;
    }

    @Override
    public Optional<RegistryCredentials> lookup(String registryHost) {
        String host = RegistryHosts.normalize(registryHost);
        Entry entry = entries.get(host);
        if (entry != null && !entry.identityToken()) {
            return Optional.of(new RegistryCredentials(entry.username(), entry.password()));
        }
        String helper = credHelpers.get(host);
        if (entry != null && entry.identityToken()) {
            warnOnce(
                    host,
                    "the credentials for " + host + " in " + file + " are an identity token (OAuth), which "
                            + "multiarch does not use; give a user name and password (or access token) instead");
        } else if (helper != null && !helper.isEmpty()) {
            warnOnce(
                    host,
                    "the credentials for " + host + " are kept by the Docker credential helper docker-credential-"
                            + helper + " (credHelpers in " + file + "); multiarch does not run credential helpers: "
                            + "give the credentials directly (username and password) instead");
        } else if (credsStore != null && entries.containsKey(host)) {
            warnOnce(
                    host,
                    "the credentials for " + host + " are kept by the Docker credential store docker-credential-"
                            + credsStore + " (credsStore in " + file + "); multiarch does not run credential helpers: "
                            + "give the credentials directly (username and password) instead");
        }
        return Optional.empty();
    }

    private void warnOnce(String host, String message) {
        if (warned.add(host)) {
            listener.warn(message);
        }
    }

    @Override
    public String toString() {
        return "DockerConfigCredentials[" + file + ", hosts=" + entries.keySet() + "]";
    }
}
