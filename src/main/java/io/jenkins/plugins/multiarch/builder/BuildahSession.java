package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One buildah build: owns a private folder with the auth file (mode 0600; credentials never reach a command
 * line) and the registries.conf that names the insecure registries, and deletes both on {@link #close()}.
 * Secret build args are passed by name only, their values through the environment.
 */
final class BuildahSession implements BuildEngine.Session {

    /** The args buildah 1.28 defines itself for {@code --platform}; it warns when a Dockerfile does not use them. */
    static final Set<String> PLATFORM_ARGS = Set.of(
            "TARGETARCH",
            "TARGETOS",
            "TARGETPLATFORM",
            "TARGETVARIANT",
            "BUILDARCH",
            "BUILDOS",
            "BUILDPLATFORM",
            "BUILDVARIANT");

    private static final Pattern UNCONSUMED =
            Pattern.compile("(.*one or more build args were not consumed: \\[)([^\\]]*)(\\].*)");

    private final BuildahBuilder buildah;
    private final LogLines lines;
    private final Path work;
    private final Path authFile;
    private final Map<String, String> env = new HashMap<>();

    private BuildahSession(BuildahBuilder buildah, LogLines lines, Path work, Path authFile, Path registriesConf) {
        this.buildah = buildah;
        this.lines = lines;
        this.work = work;
        this.authFile = authFile;
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        env.put("BUILDAH_LAYERS", String.valueOf(buildah.layers()));
    }

    static BuildahSession open(
            BuildahBuilder buildah, BuildRequest request, Optional<RegistryCredentials> creds, LogLines lines)
            throws IOException {
        Path workDir = buildah.workDir();
        Path work = workDir == null
                ? Files.createTempDirectory("multiarch-buildah-")
                : Files.createTempDirectory(Files.createDirectories(workDir), "multiarch-buildah-");
        try {
            Path authFile = writeAuthFile(work, request.image(), creds);
            Path registriesConf = writeRegistriesConf(work, buildah.insecureRegistries());
            return new BuildahSession(buildah, lines, work, authFile, registriesConf);
        } catch (IOException | RuntimeException e) {
            deleteTree(work);
            throw e;
        }
    }

    @Override
    public String build(BuildRequest request, List<ImageReference> names, Instant created) throws IOException {
        List<String> bud = buildah.command();
        // --format oci whatever BUILDAH_FORMAT the agent sets: only an OCI manifest records the base
        // (org.opencontainers.image.base.digest), which the platform check needs. --timestamp: the config's,
        // history's and files' times, so that an unchanged context rebuilds to the same digest
        bud.addAll(List.of(
                "bud",
                "--isolation",
                buildah.isolation(),
                "--platform",
                request.platform().toString(),
                "--format",
                "oci",
                "--timestamp",
                Long.toString(created.getEpochSecond()),
                "-f",
                request.dockerfile().toString(),
                "--pull=" + (request.pull() ? "always" : "missing")));
        if (buildah.layers()) {
            bud.add("--layers");
        }
        if (authFile != null) {
            bud.addAll(List.of("--authfile", authFile.toString()));
        }
        for (ImageReference name : names) {
            bud.addAll(List.of("-t", name.toString()));
        }
        if (request.noCache()) {
            bud.add("--no-cache");
        }
        if (request.target() != null) {
            bud.addAll(List.of("--target", request.target()));
        }
        for (Map.Entry<String, String> label : request.effectiveLabels(created).entrySet()) {
            bud.addAll(List.of("--label", label.getKey() + "=" + label.getValue()));
        }
        Map<String, String> budEnv = new HashMap<>(env);
        for (Map.Entry<String, String> arg : request.buildArgs().entrySet()) {
            if (request.secretBuildArgNames().contains(arg.getKey())) {
                // the name alone: buildah takes the value from the environment, so ps never shows it
                bud.addAll(List.of("--build-arg", arg.getKey()));
                budEnv.put(arg.getKey(), arg.getValue());
            } else {
                bud.addAll(List.of("--build-arg", arg.getKey() + "=" + arg.getValue()));
            }
        }
        Path iid = work.resolve("iid");
        bud.addAll(List.of("--iidfile", iid.toString()));
        bud.add(request.context().toString());

        Set<String> given = request.buildArgs().keySet();
        Subprocess.Result built = buildah.subprocess().run(bud, budEnv, lines, line -> withoutOwnArgs(line, given));
        if (built.exit() != 0 && buildah.layers() && built.output().contains("history lists")) {
            // buildah 1.28 with --layers cannot commit on top of a base whose config has no history
            // entries; the same build without the layer cache works
            lines.line("buildah's layer cache cannot use this base image (its config has no history); "
                    + "building again without --layers");
            List<String> retry = new ArrayList<>(bud);
            retry.remove("--layers");
            budEnv.put("BUILDAH_LAYERS", "false");
            built = buildah.subprocess().run(retry, budEnv, lines, line -> withoutOwnArgs(line, given));
        }
        if (built.exit() != 0) {
            throw new BuildException(
                    "the build of " + request.context() + " for " + request.platform() + " failed (buildah exit code "
                            + built.exit() + "); nothing was pushed",
                    lines.tail());
        }
        return Files.readString(iid).strip();
    }

    /**
     * buildah's "build args were not consumed" warning without the platform args buildah defines itself (a
     * Dockerfile that does not use TARGETARCH is not worth a warning); null when none of the user's is left.
     */
    static String withoutOwnArgs(String line, Set<String> given) {
        Matcher m = UNCONSUMED.matcher(line);
        if (!m.matches()) {
            return line;
        }
        List<String> left = new ArrayList<>();
        for (String arg : m.group(2).trim().split("\\s+")) {
            if (!arg.isEmpty() && (!PLATFORM_ARGS.contains(arg) || given.contains(arg))) {
                left.add(arg);
            }
        }
        return left.isEmpty() ? null : m.group(1) + String.join(" ", left) + m.group(3);
    }

    @Override
    public void checkBuiltPlatform(String imageId, Platform requested) {
        new BuildahPlatformCheck(buildah, lines).check(imageId, requested);
    }

    @Override
    public Digest push(ImageReference ref) throws IOException {
        Path digestFile = work.resolve("digest");
        Files.deleteIfExists(digestFile);
        List<String> push = buildah.command();
        push.addAll(List.of("push", "--digestfile", digestFile.toString()));
        boolean insecure = buildah.insecureRegistries().contains(ref.registry());
        if (insecure) {
            push.add("--tls-verify=false");
        }
        if (authFile != null) {
            push.addAll(List.of("--authfile", authFile.toString()));
        }
        push.addAll(List.of(ref.toString(), "docker://" + ref));
        lines.line("pushing " + ref);
        Subprocess.Result pushed = buildah.subprocess().run(push, env, lines, true);
        if (pushed.exit() != 0) {
            List<String> tail = lines.tail();
            String last = tail.isEmpty() ? "" : tail.get(tail.size() - 1);
            if (PushErrors.isAuthFailure(pushed.output())) {
                throw new RegistryAuthenticationException(
                        "the registry " + ref.registry() + " refused the push of " + ref + ": " + last
                                + "; check the credentials for " + ref.registry(),
                        401);
            }
            throw new RegistryException("the push of " + ref + " failed (buildah exit code " + pushed.exit() + "): "
                    + last + "; check that the registry is reachable"
                    + (insecure ? "" : " and, for a plain-HTTP registry, name it insecure"));
        }
        String text = Files.exists(digestFile) ? Files.readString(digestFile).strip() : "";
        try {
            return Digest.parse(text);
        } catch (InvalidInputException e) {
            throw new RegistryException(
                    "buildah pushed " + ref + " but wrote no digest ('" + text + "') to --digestfile; update buildah",
                    e);
        }
    }

    @Override
    public void close() {
        deleteTree(work);
    }

    /** {@code {"auths": {"host": {"auth": base64(user:password)}}}}, readable by the owner only. */
    private static Path writeAuthFile(Path work, ImageReference image, Optional<RegistryCredentials> creds)
            throws IOException {
        if (creds.isEmpty()) {
            return null;
        }
        Path file = work.resolve("auth.json");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        RegistryCredentials c = creds.get();
        char[] password = c.password();
        byte[] pair = (c.username() + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
        Arrays.fill(password, '\0');
        String host = image.isDockerHub() ? "docker.io" : image.registry();
        String json = "{\"auths\":{\"" + host + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString(pair) + "\"}}}";
        Arrays.fill(pair, (byte) 0);
        Files.writeString(file, json);
        return file;
    }

    private static Path writeRegistriesConf(Path work, Set<String> insecureRegistries) throws IOException {
        StringBuilder conf = new StringBuilder("unqualified-search-registries = [\"docker.io\"]\n");
        for (String host : new TreeSet<>(insecureRegistries)) {
            conf.append("\n[[registry]]\nlocation = \"").append(host).append("\"\ninsecure = true\n");
        }
        Path file = work.resolve("registries.conf");
        Files.writeString(file, conf);
        return file;
    }

    /** The session's folder, for the test that it is gone after {@link #close()}. */
    Path folder() {
        return work;
    }

    private static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: the folder is under the temporary directory
                }
            });
        } catch (IOException e) {
            // best effort
        }
    }
}
