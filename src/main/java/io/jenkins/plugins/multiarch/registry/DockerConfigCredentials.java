package io.jenkins.plugins.multiarch.registry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Credentials from Docker's {@code config.json}, found the way the docker CLI finds them (docker/cli
 * {@code cli/config/configfile/file.go} {@code GetCredentialsStore} and {@code getConfiguredCredentialStore}, and
 * {@code cli/config/credentials/native_store.go}):
 *
 * <ol>
 *   <li>{@code credHelpers[key]}: that helper, {@code docker-credential-<name>};
 *   <li>else {@code credsStore}: that helper, for every registry;
 *   <li>else the {@code auths} entry: {@code auth} (base64 of {@code user:password}) or {@code username} and
 *       {@code password}.
 * </ol>
 *
 * The key is the one docker uses: {@code https://index.docker.io/v1/} for Docker Hub, {@code host[:port]} for any
 * other registry. When a helper applies, its answer alone counts, as in docker: an {@code auths} entry for the same
 * registry is not used (docker keeps only the e-mail from it), and a helper that holds nothing for the registry
 * means anonymous access. A {@code credHelpers} entry with an empty name sends that registry back to {@code auths}.
 *
 * <p>Helpers are run lazily: once per registry host per instance, only when that registry asks for credentials (a
 * lookup), and only for that registry's own key. See {@link CredentialHelper} for the run itself (time limit,
 * output never shown). A helper that is missing, fails or hangs is an error naming it and the registry, never a
 * silent anonymous fallback.
 *
 * <p>Identity tokens (an {@code identitytoken} in an {@code auths} entry, or a helper's answer with the user name
 * {@code <token>}, as docker's {@code nativeStore.getCredentialsFromStore} reads it) are returned as
 * {@link RegistryCredentials#identityToken(char[])}: the client trades them at the registry's token service with the
 * OAuth2 refresh-token grant and never sends them as a password. As in docker, an {@code identitytoken} wins over
 * the {@code auth} of the same entry (docker login writes both, {@code auth} then holding only the user name).
 */
public final class DockerConfigCredentials implements CredentialsSource {

    /** How long one helper run may take before it is killed. */
    static final Duration DEFAULT_HELPER_TIMEOUT = Duration.ofSeconds(30);

    /** docker's key for Docker Hub in config.json and in credential helpers ({@code registry.IndexServer}). */
    static final String DOCKER_HUB_KEY = "https://index.docker.io/v1/";

    private final Path file;
    private final Map<String, Entry> entries;
    private final String credsStore;
    private final Map<String, String> credHelpers;
    private final LogListener listener;
    private final Map<String, String> helperEnvironment;
    private final Duration helperTimeout;
    /** One resolution per registry host: concurrent first lookups wait for the one helper run. */
    private final ConcurrentMap<String, CompletableFuture<Optional<RegistryCredentials>>> resolved =
            new ConcurrentHashMap<>();

    private final Set<String> warned = Collections.synchronizedSet(new HashSet<>());

    /** An auths entry: a user name and password, or an identity token (then in {@code password}). */
    private record Entry(String username, char[] password, boolean identityToken) {
        RegistryCredentials credentials() {
            return identityToken
                    ? RegistryCredentials.identityToken(password)
                    : new RegistryCredentials(username, password);
        }
    }

    /** Which helper serves a registry, and where the config named it (for messages). */
    private record HelperChoice(String name, String configuredBy) {}

    private DockerConfigCredentials(
            Path file,
            Map<String, Entry> entries,
            String credsStore,
            Map<String, String> credHelpers,
            LogListener listener,
            Map<String, String> helperEnvironment,
            Duration helperTimeout) {
        this.file = file;
        this.entries = entries;
        this.credsStore = credsStore;
        this.credHelpers = credHelpers;
        this.listener = listener;
        this.helperEnvironment = Map.copyOf(helperEnvironment);
        this.helperTimeout = helperTimeout;
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
            return new DockerConfigCredentials(
                    configJson, Map.of(), null, Map.of(), listener, Map.of(), DEFAULT_HELPER_TIMEOUT);
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
        // credHelpers keys are matched as docker matches them: the exact key (see helperFor)
        Map<String, String> helpers = new HashMap<>();
        for (Map.Entry<String, JsonNode> field : root.path("credHelpers").properties()) {
            helpers.put(field.getKey(), field.getValue().asText(""));
        }
        return new DockerConfigCredentials(
                configJson,
                entries,
                store.isEmpty() ? null : store,
                helpers,
                listener,
                Map.of(),
                DEFAULT_HELPER_TIMEOUT);
    }

    /**
     * The same configuration with helpers run with these extra environment variables (PATH among them, which is
     * also where helpers are looked for) and this time limit per run. Lookups start afresh.
     */
    DockerConfigCredentials withHelpers(Map<String, String> environment, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the helper time limit must be positive: " + timeout);
        }
        return new DockerConfigCredentials(file, entries, credsStore, credHelpers, listener, environment, timeout);
    }

    private static Entry parseEntry(Path file, String key, JsonNode node) {
        String identityToken = node.path("identitytoken").asText("");
        if (!identityToken.isEmpty()) {
            return new Entry("", identityToken.toCharArray(), true);
        }
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
        return null;
    }

    /** The config file this was read from. */
    public Path file() {
        return file;
    }

    /**
     * The credentials for this registry host; runs the registry's credential helper the first time it is asked
     * for this host (never for another), and answers from that result afterwards.
     *
     * @throws RegistryAuthenticationException when the registry's helper is missing, fails, hangs or answers
     *     nonsense (again on every later lookup for that host, without running it again)
     */
    @Override
    public Optional<RegistryCredentials> lookup(String registryHost) {
        String host = RegistryHosts.normalize(registryHost);
        CompletableFuture<Optional<RegistryCredentials>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<RegistryCredentials>> first = resolved.putIfAbsent(host, mine);
        if (first == null) {
            first = mine;
            try {
                mine.complete(resolve(host));
            } catch (RuntimeException e) {
                mine.completeExceptionally(e);
                if (!(e instanceof RegistryAuthenticationException)) {
                    resolved.remove(host, mine); // interrupted or unexpected: a later lookup may try again
                }
            }
        }
        Optional<RegistryCredentials> found;
        try {
            found = first.join();
        } catch (CompletionException e) {
            throw rethrown(e.getCause());
        }
        // A copy per caller: a caller that clears its credentials must not wipe everyone's.
        return found.map(RegistryCredentials::copy);
    }

    /** The failure of the one run, thrown anew for this caller (same type, same message). */
    private static RuntimeException rethrown(Throwable cause) {
        if (cause instanceof RegistryAuthenticationException refused) {
            return new RegistryAuthenticationException(refused.getMessage(), refused.statusCode());
        }
        if (cause instanceof RegistryException failed) {
            return new RegistryException(failed.getMessage(), failed);
        }
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }

    private Optional<RegistryCredentials> resolve(String host) {
        String key = configKey(host);
        Optional<HelperChoice> helper = helperFor(key);
        if (helper.isPresent()) {
            return fromHelper(helper.get(), key, host);
        }
        return fromAuths(host);
    }

    /** docker's key for a registry: {@code https://index.docker.io/v1/} for Docker Hub, else host[:port]. */
    static String configKey(String registryHost) {
        String host = RegistryHosts.normalize(registryHost);
        return host.equals(RegistryHosts.DOCKER_HUB) ? DOCKER_HUB_KEY : host;
    }

    /**
     * {@code credHelpers[key]} (docker: an exact map lookup; host names are also matched regardless of case), else
     * {@code credsStore}; empty when neither applies or the {@code credHelpers} entry names no helper.
     */
    private Optional<HelperChoice> helperFor(String key) {
        String matched = credHelpers.containsKey(key)
                ? key
                : credHelpers.keySet().stream()
                        .filter(k -> k.equalsIgnoreCase(key))
                        .sorted()
                        .findFirst()
                        .orElse(null);
        if (matched != null) {
            String name = credHelpers.get(matched);
            return name.isEmpty()
                    ? Optional.empty()
                    : Optional.of(new HelperChoice(name, "credHelpers entry \"" + matched + "\" in " + file));
        }
        return credsStore == null
                ? Optional.empty()
                : Optional.of(new HelperChoice(credsStore, "credsStore in " + file));
    }

    private Optional<RegistryCredentials> fromHelper(HelperChoice choice, String key, String host) {
        CredentialHelper helper =
                new CredentialHelper(choice.name(), choice.configuredBy(), helperEnvironment, helperTimeout);
        listener.debug("credentials for " + host + ": asking " + helper.program() + " (" + choice.configuredBy()
                + ") for " + key);
        CredentialHelper.Answer answer = helper.get(key, host);
        try {
            switch (answer.kind()) {
                case PASSWORD:
                    return Optional.of(answer.credentials());
                case IDENTITY_TOKEN:
                    listener.debug(helper.program() + " holds an identity token for " + host
                            + ": it goes to the registry's token service only");
                    return Optional.of(answer.credentials());
                default:
                    Entry shadowed = entries.get(host);
                    if (shadowed != null) {
                        warnOnce(
                                host,
                                helper.program() + " (" + choice.configuredBy() + ") holds no credentials for " + host
                                        + "; the auths entry for " + host + " in " + file + " is not used while a"
                                        + " credential helper serves that registry (as in docker). Run docker login "
                                        + host + " to store them in the helper, or remove the helper from the file");
                    } else {
                        listener.debug(helper.program() + " holds no credentials for " + host + ": anonymous access");
                    }
                    return Optional.empty();
            }
        } finally {
            answer.wipe();
        }
    }

    private Optional<RegistryCredentials> fromAuths(String host) {
        Entry entry = entries.get(host);
        if (entry == null) {
            return Optional.empty();
        }
        return Optional.of(entry.credentials());
    }

    private void warnOnce(String host, String message) {
        if (warned.add(host)) {
            listener.warn(message);
        }
    }

    @Override
    public String toString() {
        return "DockerConfigCredentials[" + file + ", hosts=" + entries.keySet()
                + (credsStore == null ? "" : ", credsStore=" + credsStore)
                + (credHelpers.isEmpty() ? "" : ", credHelpers=" + credHelpers) + "]";
    }
}
