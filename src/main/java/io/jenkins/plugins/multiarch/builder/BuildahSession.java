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
 *
 * <p>With a {@link BuildCache}: {@code --layers --cache-from R --cache-to R}, R being this platform's own cache
 * repository ({@link BuildCache#repositoryFor}). buildah 1.28 then looks each step up in its store, else pulls
 * {@code R:<key>} (a pull that fails is no error: the step is built), and pushes every step it built to
 * {@code R:<key>} (a push that fails fails the build). The key hashes the base's layers and history and the step,
 * not the platform, hence one repository per platform.
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

    private final BuildahSettings buildah;
    private final LogLines lines;
    private final Path work;
    private final Path authFile;
    private final Map<String, String> env = new HashMap<>();

    private BuildahSession(BuildahSettings buildah, LogLines lines, Path work, Path authFile, Path registriesConf) {
        this.buildah = buildah;
        this.lines = lines;
        this.work = work;
        this.authFile = authFile;
        env.put("CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
        env.put("BUILDAH_LAYERS", String.valueOf(buildah.layers()));
    }

    static BuildahSession open(
            BuildahSettings buildah, BuildRequest request, Optional<RegistryCredentials> creds, LogLines lines)
            throws IOException {
        return open(buildah, request, creds, Optional.empty(), lines);
    }

    static BuildahSession open(
            BuildahSettings buildah,
            BuildRequest request,
            Optional<RegistryCredentials> creds,
            Optional<RegistryCredentials> cacheCreds,
            LogLines lines)
            throws IOException {
        Path workDir = buildah.workDir();
        Path work = workDir == null
                ? Files.createTempDirectory("multiarch-buildah-")
                : Files.createTempDirectory(Files.createDirectories(workDir), "multiarch-buildah-");
        try {
            Map<String, RegistryCredentials> logins = new java.util.LinkedHashMap<>();
            creds.ifPresent(c -> logins.put(authHost(request.image()), c));
            if (request.cache() != null) {
                // each registry gets its own credentials only: the cache's host never gets the image's
                cacheCreds.ifPresent(
                        c -> logins.putIfAbsent(authHost(request.cache().repository()), c));
            }
            Path authFile = writeAuthFile(work, logins);
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
        ImageReference cacheRepo =
                request.cache() == null ? null : request.cache().repositoryFor(request.platform());
        List<String> cacheArgs = new ArrayList<>();
        if (cacheRepo != null) {
            if (!request.noCache()) {
                cacheArgs.addAll(List.of("--cache-from", cacheRepo.toString()));
            }
            cacheArgs.addAll(List.of("--cache-to", cacheRepo.toString()));
        }
        if (buildah.layers() || cacheRepo != null) {
            bud.add("--layers"); // buildah's cache flags act only with its layer cache
        }
        bud.addAll(cacheArgs);
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
        java.util.concurrent.atomic.AtomicBoolean cacheHit = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.UnaryOperator<String> shown = line -> {
            if (line.contains("--> Using cache") || line.contains("--> Cache pulled from remote")) {
                cacheHit.set(true);
            }
            return withoutOwnArgs(line, given);
        };
        Subprocess.Result built = buildah.subprocess().run(bud, budEnv, lines, shown);
        boolean layered = bud.contains("--layers");
        if (built.exit() != 0 && layered && built.output().contains("history lists")) {
            // buildah 1.28 with --layers cannot commit on top of a base whose config has no history
            // entries; the same build without the layer cache works
            lines.line("buildah's layer cache cannot use this base image (its config has no history); "
                    + "building again without --layers" + (cacheRepo == null ? "" : " and without the build cache"));
            List<String> retry = new ArrayList<>(bud);
            retry.remove("--layers");
            for (int i = 0; i < cacheArgs.size(); i += 2) {
                int at = retry.indexOf(cacheArgs.get(i));
                retry.subList(at, at + 2).clear();
            }
            budEnv.put("BUILDAH_LAYERS", "false");
            cacheRepo = null;
            built = buildah.subprocess().run(retry, budEnv, lines, shown);
        }
        if (built.exit() != 0) {
            boolean cachePush = cacheRepo != null && built.output().contains("failed pushing cache to");
            throw new BuildException(
                    "the build of " + request.context() + " for " + request.platform() + " failed (buildah exit code "
                            + built.exit() + ")"
                            + (cachePush
                                    ? ": buildah could not write the build cache " + cacheRepo + " (check that its "
                                            + "registry is reachable and the credentials for it may push there, or "
                                            + "build without the cache)"
                                    : "")
                            + "; nothing was pushed",
                    lines.tail());
        }
        if (cacheRepo != null && !request.noCache() && !cacheHit.get()) {
            lines.line("no step was found in the build cache " + cacheRepo + " (none yet, or every step changed): "
                    + "built without it; buildah wrote this build's steps there");
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

    /** The auth file's key for a reference's registry. */
    private static String authHost(ImageReference ref) {
        return ref.isDockerHub() ? "docker.io" : ref.registry();
    }

    /** {@code {"auths": {"host": {"auth": base64(user:password)}, ...}}}, readable by the owner only. */
    private static Path writeAuthFile(Path work, Map<String, RegistryCredentials> logins) throws IOException {
        if (logins.isEmpty()) {
            return null;
        }
        Path file = work.resolve("auth.json");
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        StringBuilder json = new StringBuilder("{\"auths\":{");
        String separator = "";
        for (Map.Entry<String, RegistryCredentials> login : logins.entrySet()) {
            RegistryCredentials c = login.getValue();
            if (c.isIdentityToken()) {
                // containers/image exchanges an identity token at the token service itself (OAuth2 refresh grant);
                // it reads the entry only beside an "auth" of user:password form, as docker login writes it
                char[] token = c.password();
                String userOnly = Base64.getEncoder()
                        .encodeToString(
                                (RegistryCredentials.IDENTITY_TOKEN_USERNAME + ":").getBytes(StandardCharsets.UTF_8));
                json.append(separator)
                        .append('"')
                        .append(login.getKey())
                        .append("\":{\"auth\":\"")
                        .append(userOnly)
                        .append("\",\"identitytoken\":\"")
                        .append(jsonEscaped(token))
                        .append("\"}");
                Arrays.fill(token, '\0');
                separator = ",";
                continue;
            }
            char[] password = c.password();
            byte[] pair = (c.username() + ":" + new String(password)).getBytes(StandardCharsets.UTF_8);
            Arrays.fill(password, '\0');
            json.append(separator)
                    .append('"')
                    .append(login.getKey())
                    .append("\":{\"auth\":\"")
                    .append(Base64.getEncoder().encodeToString(pair))
                    .append("\"}");
            Arrays.fill(pair, (byte) 0);
            separator = ",";
        }
        Files.writeString(file, json.append("}}"));
        return file;
    }

    /** A secret as the inside of a JSON string: quotes, backslashes and control characters escaped. */
    private static String jsonEscaped(char[] secret) {
        StringBuilder out = new StringBuilder(secret.length + 8);
        for (char ch : secret) {
            if (ch == '"' || ch == '\\') {
                out.append('\\').append(ch);
            } else if (ch < 0x20) {
                out.append(String.format("\\u%04x", (int) ch));
            } else {
                out.append(ch);
            }
        }
        return out.toString();
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
