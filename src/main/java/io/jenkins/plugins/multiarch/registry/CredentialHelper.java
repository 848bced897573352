package io.jenkins.plugins.multiarch.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One run of a Docker credential helper, {@code docker-credential-<name> get}, as docker-credential-helpers'
 * {@code client.Get} does it: the server URL on standard input, the JSON {@code {ServerURL, Username, Secret}} on
 * standard output, and the exact text {@code credentials not found in native keychain} (with a non-zero exit) for
 * "nothing stored for this server".
 *
 * <p>Unlike docker, the run has a time limit (the helper and its children are killed when it passes), and nothing
 * the helper prints reaches a log, a message or an exception: a secret can be in its output or its error text.
 * Standard error is discarded unread; standard output is kept only in a buffer that is wiped after parsing.
 */
final class CredentialHelper {

    /** The text every docker-credential-helpers program prints when it holds nothing for the server. */
    static final String NOT_FOUND = "credentials not found in native keychain";

    /** docker-credential-helpers' marker: the secret is an identity token (OAuth refresh token), not a password. */
    static final String TOKEN_USERNAME = RegistryCredentials.IDENTITY_TOKEN_USERNAME;

    /** Far more than any credentials answer; a helper printing more is broken. */
    private static final int MAX_OUTPUT = 1024 * 1024;

    private static final JsonFactory JSON = new JsonFactory();

    /**
     * What the helper answered for one server: nothing, a user name and secret (password or access token), or an
     * identity token (the {@code <token>} user name convention). The secret stays inside; {@link #wipe()} clears it.
     */
    static final class Answer {
        enum Kind {
            NOT_FOUND,
            PASSWORD,
            IDENTITY_TOKEN
        }

        private final Kind kind;
        private final String username;
        private final char[] secret;

        private Answer(Kind kind, String username, char[] secret) {
            this.kind = kind;
            this.username = username;
            this.secret = secret;
        }

        static Answer notFound() {
            return new Answer(Kind.NOT_FOUND, "", new char[0]);
        }

        Kind kind() {
            return kind;
        }

        /** The user name and a copy of the secret, or a copy of the identity token; none for NOT_FOUND. */
        RegistryCredentials credentials() {
            switch (kind) {
                case PASSWORD:
                    return new RegistryCredentials(username, secret);
                case IDENTITY_TOKEN:
                    return RegistryCredentials.identityToken(secret);
                default:
                    throw new IllegalStateException("a " + kind + " answer holds no credentials");
            }
        }

        /** Overwrites the secret in memory. */
        void wipe() {
            Arrays.fill(secret, '\0');
        }

        @Override
        public String toString() {
            return "Answer[" + kind + (kind == Kind.PASSWORD ? ", username=" + username + ", secret=****" : "") + "]";
        }
    }

    private final String name;
    private final String configuredBy;
    private final Map<String, String> environment;
    private final Duration timeout;

    /**
     * @param name the helper's suffix ({@code pass} runs {@code docker-credential-pass})
     * @param configuredBy where it was named, for messages ({@code credsStore in /root/.docker/config.json})
     * @param environment variables set for the helper on top of this process's environment (PATH among them, which
     *     is also where the helper is looked for)
     * @param timeout how long one run may take before the helper and its children are killed
     */
    CredentialHelper(String name, String configuredBy, Map<String, String> environment, Duration timeout) {
        this.name = name;
        this.configuredBy = configuredBy;
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
    }

    /** {@code docker-credential-<name>}. */
    String program() {
        return "docker-credential-" + name;
    }

    /**
     * Asks the helper for {@code serverUrl} (the key docker uses: {@code host[:port]}, or
     * {@code https://index.docker.io/v1/} for Docker Hub). {@code registry} only names the registry in errors.
     *
     * @throws RegistryAuthenticationException when the helper is missing, fails, hangs or answers nonsense
     */
    Answer get(String serverUrl, String registry) {
        Path executable = locate().orElseThrow(() -> failure(
                registry,
                "is not installed: there is no executable " + program() + " on PATH",
                "Install " + program() + ", or remove it from the Docker config"));
        ProcessBuilder builder = new ProcessBuilder(executable.toString(), "get")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw failure(
                    registry,
                    "could not be started (" + e.getClass().getSimpleName() + ")",
                    "Check that " + executable + " is an executable program");
        }
        OutputReader output = new OutputReader(process.getInputStream());
        try {
            writeServerUrl(process, serverUrl);
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                killWithChildren(process);
                throw failure(
                        registry,
                        "did not answer within " + describe(timeout) + " and was stopped",
                        "Check that its store is reachable and unlocked (for pass: gpg-agent and the key), then retry");
            }
            // The output may still be in flight after the exit (or held open by a child the helper left behind).
            byte[] bytes = output.await(Duration.ofSeconds(5));
            try {
                return interpret(process.exitValue(), bytes, output.overflowed(), registry);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        } catch (InterruptedException e) {
            killWithChildren(process);
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    "interrupted while " + program() + " looked up the credentials for " + registry, e);
        } finally {
            output.wipe();
            if (process.isAlive()) {
                killWithChildren(process);
            }
        }
    }

    private Answer interpret(int exitCode, byte[] bytes, boolean overflowed, String registry) {
        if (overflowed) {
            throw failure(
                    registry,
                    "printed more than " + MAX_OUTPUT / 1024 + " KiB (not shown: it may contain a secret)",
                    "Check the helper");
        }
        if (exitCode != 0) {
            if (isNotFound(bytes)) {
                return Answer.notFound();
            }
            throw failure(
                    registry,
                    "failed with exit code " + exitCode + " (its output is not shown: it may contain a secret)",
                    "Run docker login " + registry + ", or check the helper's store (initialised and unlocked?)");
        }
        return parse(bytes, registry);
    }

    /** docker compares the trimmed standard output with the message exactly. */
    private static boolean isNotFound(byte[] bytes) {
        int start = 0;
        int end = bytes.length;
        while (start < end && Character.isWhitespace(bytes[start])) {
            start++;
        }
        while (end > start && Character.isWhitespace(bytes[end - 1])) {
            end--;
        }
        byte[] expected = NOT_FOUND.getBytes(StandardCharsets.US_ASCII);
        return Arrays.equals(bytes, start, end, expected, 0, expected.length);
    }

    /**
     * Reads {@code {ServerURL, Username, Secret}} with field names matched regardless of case, as Go's
     * encoding/json does; other fields are ignored. The secret goes from the parser's buffer into a char[]
     * without becoming a String.
     */
    private Answer parse(byte[] bytes, String registry) {
        String username = "";
        char[] secret = new char[0];
        try (JsonParser parser = JSON.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notJson(registry);
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equalsIgnoreCase("Username") && value == JsonToken.VALUE_STRING) {
                    username = parser.getText();
                } else if (field.equalsIgnoreCase("Secret") && value == JsonToken.VALUE_STRING) {
                    Arrays.fill(secret, '\0');
                    secret = Arrays.copyOfRange(
                            parser.getTextCharacters(),
                            parser.getTextOffset(),
                            parser.getTextOffset() + parser.getTextLength());
                } else if (value == JsonToken.VALUE_NULL || value.isScalarValue()) {
                    // ServerURL (docker keeps the URL it asked for) and fields docker does not know
                } else {
                    parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw notJson(registry);
            }
        } catch (IOException e) {
            Arrays.fill(secret, '\0');
            throw notJson(registry); // Jackson's message may quote the secret
        } catch (RuntimeException e) {
            Arrays.fill(secret, '\0');
            throw e;
        }
        if (username.equals(TOKEN_USERNAME)) {
            // docker would hold an empty identity token: nothing to send, so nothing found
            return secret.length == 0 ? Answer.notFound() : new Answer(Answer.Kind.IDENTITY_TOKEN, "", secret);
        }
        if (username.isEmpty() && secret.length == 0) {
            return Answer.notFound();
        }
        return new Answer(Answer.Kind.PASSWORD, username, secret);
    }

    private RegistryAuthenticationException notJson(String registry) {
        return failure(
                registry,
                "answered with something that is not the JSON docker expects ({\"ServerURL\", \"Username\", \"Secret\"};"
                        + " not shown: it may contain a secret)",
                "Check the helper, or run docker login " + registry + " again");
    }

    private RegistryAuthenticationException failure(String registry, String what, String fix) {
        return new RegistryAuthenticationException("cannot get the credentials for registry " + registry
                + ": the Docker credential helper " + program() + " (" + configuredBy + ") " + what + ". " + fix
                + ".");
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static void writeServerUrl(Process process, String serverUrl) {
        try (OutputStream in = process.getOutputStream()) {
            in.write(serverUrl.getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // the helper exited (or closed its input) without reading: its exit status tells the rest
        }
    }

    /** The helper on PATH (the helper's PATH when one is given, else ours), as exec would find it. */
    private Optional<Path> locate() {
        String path = environment.containsKey("PATH") ? environment.get("PATH") : System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":", -1)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir).resolve(program());
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** Kills the helper and every process it started (a shell script's children would otherwise live on). */
    static void killWithChildren(Process process) {
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly(); // it can start no more children now
        for (int i = 0; i < family.size(); i++) {
            ProcessHandle member = family.get(i);
            member.descendants().forEach(family::add);
            member.destroyForcibly();
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads standard output on its own thread into a buffer of ours, so that it can be wiped. */
    private static final class OutputReader {
        private final Thread thread;
        private byte[] buffer = new byte[4096];
        private int length;
        private boolean overflowed;

        OutputReader(InputStream stream) {
            thread = new Thread(() -> pump(stream), "docker-credential-helper-output");
            thread.setDaemon(true);
            thread.start();
        }

        private void pump(InputStream stream) {
            byte[] chunk = new byte[4096];
            try (stream) {
                int read;
                while ((read = stream.read(chunk)) >= 0) {
                    synchronized (this) {
                        if (length + read > MAX_OUTPUT) {
                            overflowed = true; // keep draining, keep nothing more
                            continue;
                        }
                        if (length + read > buffer.length) {
                            byte[] bigger = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + read));
                            Arrays.fill(buffer, (byte) 0);
                            buffer = bigger;
                        }
                        System.arraycopy(chunk, 0, buffer, length, read);
                        length += read;
                    }
                }
            } catch (IOException ignored) {
                // the stream closes when the helper is killed; what was read is what we have
            } finally {
                Arrays.fill(chunk, (byte) 0);
            }
        }

        /** A copy of what was read once the stream ended (or {@code max} passed); the caller wipes it. */
        byte[] await(Duration max) throws InterruptedException {
            thread.join(max.toMillis());
            synchronized (this) {
                return Arrays.copyOf(buffer, length);
            }
        }

        synchronized boolean overflowed() {
            return overflowed;
        }

        synchronized void wipe() {
            Arrays.fill(buffer, (byte) 0);
            length = 0;
        }
    }
}
