package io.jenkins.plugins.multiarch.cli;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.MultiarchVersion;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.DockerConfigCredentials;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import io.jenkins.plugins.multiarch.registry.RegistrySettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every registry-facing command shares: trust, insecure registries, credentials, verbosity. */
public final class RegistryOptions {

    /** Attempts per registry call, as the settings' default. */
    private static final int RETRIES = 5;

    @Option(
            names = "--insecure-registry",
            paramLabel = "HOST[:PORT]",
            description =
                    "Talk plain HTTP to this registry (repeatable). Only for registries you trust on your network.")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(
            names = "--ca-file",
            paramLabel = "PEM",
            description = "Extra CA certificate(s) to trust, added to the system trust store (never replacing it).")
    Path caFile;

    @Option(
            names = {"-u", "--username"},
            paramLabel = "USER",
            description = "Registry user name; the password is read from standard input (--password-stdin).")
    String username;

    @Option(names = "--password-stdin", description = "Read the registry password from standard input.")
    boolean passwordStdin;

    @Option(names = "--debug", description = "Print each HTTP request to stderr (credentials redacted).")
    boolean debug;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "120",
            description = "Give up on a registry request (with its retries) after this many seconds. "
                    + "Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds = 120;

    private WaitNotice listener;

    /** Progress goes to stderr so that stdout stays the report (scriptable with --json). */
    synchronized LogListener listener() {
        if (listener == null) {
            listener = new WaitNotice(LogListener.printingTo(System.err, debug), System.err);
        }
        return listener;
    }

    /**
     * Shows on stderr, until closed, each stretch in which the command heard nothing from {@code registry}
     * (a hanging registry), with the limit {@code --timeout} sets.
     */
    synchronized WaitNotice showWaits(String registry) {
        listener();
        return listener.watch("registry " + registry, timeout());
    }

    private Duration timeout() {
        if (timeoutSeconds < 1) {
            throw new InvalidInputException(
                    "--timeout " + timeoutSeconds + " is not a positive number of seconds, e.g. --timeout 300");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }

    /**
     * A client whose credentials are Docker's config.json, overridden for {@code credentialsHost} by
     * --username/--password-stdin.
     */
    RegistryClient client(String credentialsHost, InputStream stdin) {
        CredentialsSource credentials = DockerConfigCredentials.fromEnvironment(listener());
        if (username != null || passwordStdin) {
            if (username == null || !passwordStdin) {
                throw new InvalidInputException("--username and --password-stdin go together: "
                        + "echo \"$PASSWORD\" | multiarch ... --username USER --password-stdin");
            }
            char[] password = readPassword(stdin);
            credentials = CredentialsSource.chain(
                    CredentialsSource.of(credentialsHost, new RegistryCredentials(username, password)), credentials);
        }
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new InvalidInputException(
                    "--ca-file " + caFile + " cannot be read: give a PEM file with the CA certificate");
        }
        RegistrySettings.Builder settings = RegistrySettings.builder()
                .credentials(credentials)
                .listener(listener())
                // the whole wait for one registry call, retries included
                .retries(RETRIES, timeout())
                .userAgent("multiarch-cli/" + MultiarchVersion.get());
        for (String host : insecureRegistries) {
            settings.insecureRegistry(host);
        }
        if (caFile != null) {
            settings.caFile(caFile);
        }
        return new RegistryClient(settings.build());
    }

    RegistryClient client(ImageReference reference) {
        return client(reference.registry(), System.in);
    }

    private static char[] readPassword(InputStream stdin) {
        try (Reader reader = new InputStreamReader(stdin, StandardCharsets.UTF_8)) {
            char[] buffer = new char[1024];
            int length = 0;
            int read;
            while ((read = reader.read(buffer, length, buffer.length - length)) > 0) {
                length += read;
                if (length == buffer.length) {
                    throw new InvalidInputException("--password-stdin: the password is longer than 1024 characters");
                }
            }
            while (length > 0 && (buffer[length - 1] == '\n' || buffer[length - 1] == '\r')) {
                length--;
            }
            if (length == 0) {
                throw new InvalidInputException("--password-stdin: standard input was empty; pipe the password in");
            }
            char[] password = Arrays.copyOf(buffer, length);
            Arrays.fill(buffer, '\0');
            return password;
        } catch (IOException e) {
            throw new InvalidInputException("--password-stdin: cannot read standard input: " + e.getMessage(), e);
        }
    }

    static void print(PrintStream out, String text) {
        out.print(text);
        out.flush();
    }
}
