package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.BuildException;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.LogListener;
import io.jenkins.plugins.multiarch.MultiarchVersion;
import io.jenkins.plugins.multiarch.RegistryException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.provenance.AttestationManifest;
import io.jenkins.plugins.multiarch.provenance.AttestationPush;
import io.jenkins.plugins.multiarch.provenance.BuildFacts;
import io.jenkins.plugins.multiarch.provenance.ProvenanceOptions;
import io.jenkins.plugins.multiarch.provenance.ProvenanceStatement;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.record.ImageSummary;
import io.jenkins.plugins.multiarch.registry.CredentialsSource;
import io.jenkins.plugins.multiarch.registry.RegistryClient;
import io.jenkins.plugins.multiarch.registry.RegistryCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one build-and-push procedure every engine runs (after jib-core's {@code StepsRunner}): check the files,
 * guard the architecture, work out the names, look up the credentials and mask every secret, build, check the
 * built platform, push under ONE name, confirm the platform from the registry, and only then give the image its
 * per-architecture names. The engine ({@link BuildEngine}) only builds, checks and pushes.
 *
 * <p>With digest naming the one name is the temporary tag and the image gets no other. With the suffix namings
 * ({@code REPO-arm64v8:1.0}, {@code REPO:1.0-arm64v8}) the image is pushed under a temporary tag in the per-arch
 * names' repository; once the registry confirmed its platform, its manifest is PUT under each per-arch name (no
 * layer traffic: the blobs are in that repository already) and the temporary tag is removed where the registry
 * can remove a tag alone. A refused image never gets a per-arch name.
 */
final class BuildAndPush {

    private final BuildEngine engine;
    private final RegistryClient registry;
    private final CredentialsSource credentials;

    BuildAndPush(BuildEngine engine, RegistryClient registry, CredentialsSource credentials) {
        this.engine = engine;
        this.registry = registry;
        this.credentials = credentials;
    }

    ArchImageRecord run(BuildRequest request, LogListener listener) {
        request.checkFiles();
        Platform host = engine.hostPlatform();
        boolean emulated = HostArchitecture.guard(request, host, engine.description(), listener);
        String prefix = request.linePrefix();
        List<ImageReference> names = request.naming().references(request.image(), request.tags(), request.platform());
        ImageReference pushName =
                request.naming() == Naming.DIGEST ? names.get(0) : temporaryName(names.get(0), request);
        Instant started = Instant.now();

        Optional<RegistryCredentials> creds = credentials.lookup(request.image().registry());
        // the cache's registry gets its own credentials, as the image's would: never the image's on another host
        Optional<RegistryCredentials> cacheCreds = request.cache() == null
                ? Optional.empty()
                : credentials.lookup(request.cache().repository().registry());
        List<String> secrets = new ArrayList<>(request.secretValues());
        creds.ifPresent(c -> secrets.add(new String(c.password())));
        cacheCreds.ifPresent(c -> secrets.add(new String(c.password())));
        LogLines lines = new LogLines(listener, prefix, secrets);

        try (BuildEngine.Session session = engine.open(request, creds, cacheCreds, lines)) {
            Instant created = CreationTime.orNow(request.sourceDateEpoch(), request.context(), started, lines);
            listener.info(prefix + "building " + request.context() + " for " + request.platform() + " with "
                    + engine.displayName() + " (" + host + ")" + (emulated ? " under emulation" : ""));
            List<ImageReference> local = new ArrayList<>(List.of(pushName));
            names.stream().filter(n -> !n.equals(pushName)).forEach(local::add);
            String imageId = session.build(request, local, created);
            listener.info(prefix + "built " + imageId);
            session.checkBuiltPlatform(imageId, request.platform());

            Digest reported = session.push(pushName);
            PushVerifier.Confirmed confirmed;
            try {
                confirmed = new PushVerifier(registry).confirm(List.of(pushName), reported, request.platform());
            } catch (VerificationException refused) {
                removeTemporary(pushName, lines);
                if (!pushName.equals(names.get(0))) {
                    throw new VerificationException(
                            refused.getMessage() + " (it was pushed only as " + pushName + "; no per-architecture name "
                                    + "was given to it)",
                            refused);
                }
                throw refused;
            }
            ImageReference leftTemporary = null;
            if (!pushName.equals(names.get(0))) {
                for (ImageReference name : names) {
                    registry.putManifest(name, confirmed.manifest());
                    lines.line("named " + name + " (" + confirmed.digest() + ")");
                }
                // it points at the confirmed image, as the per-arch names do; if it stays, the record says so and
                // the publish step removes it after the list (TemporaryTags.remove)
                if (!removeTemporary(pushName, lines)) {
                    leftTemporary = pushName;
                }
            }
            listener.info(prefix + "pushed " + names.get(0).withoutTagOrDigest().withDigest(confirmed.digest()) + " ("
                    + confirmed.platform() + " confirmed by the registry)");
            ImageSummary content = ImageSummaries.of(confirmed.image(), confirmed.config(), secrets);
            ArchImageRecord.Attestation provenance = attachProvenance(
                    request, names.get(0).withoutTagOrDigest(), confirmed, content, emulated, started, listener);
            session.exportCache(imageId); // only an image the registry confirmed becomes the platform's cache
            return new ArchImageRecord(
                    ArchImageRecord.SCHEMA_VERSION,
                    request.image(),
                    names,
                    confirmed.digest(),
                    confirmed.mediaType(),
                    confirmed.size(),
                    confirmed.platform(),
                    request.platform(),
                    emulated,
                    engine.name(),
                    engine.version(),
                    engine.machineName(),
                    request.agentName(),
                    started,
                    Instant.now(),
                    request.sourceRevision(),
                    List.copyOf(new TreeSet<>(request.buildArgs().keySet())),
                    request.naming(),
                    content,
                    leftTemporary,
                    provenance);
        } catch (IOException e) {
            throw new BuildException(
                    engine.name() + " could not be prepared: " + lines.mask(String.valueOf(e.getMessage()))
                            + "; check that the temporary directory is writable",
                    lines.tail(),
                    e);
        }
    }

    /**
     * Writes the provenance statement of the confirmed image and pushes its attestation manifest into the image's
     * own repository (an index can only point at manifests of its repository), unless provenance is off. The
     * statement holds build-arg names only (BuildFacts refuses anything else); the publish step lists it.
     */
    private ArchImageRecord.Attestation attachProvenance(
            BuildRequest request,
            ImageReference repository,
            PushVerifier.Confirmed confirmed,
            ImageSummary content,
            boolean emulated,
            Instant started,
            LogListener listener) {
        ProvenanceOptions options = request.provenance();
        if (!options.enabled()) {
            return null;
        }
        Set<String> argNames = new TreeSet<>(request.buildArgs().keySet());
        argNames.addAll(request.secretBuildArgNames()); // names, never values
        BuildFacts facts = BuildFacts.builder()
                .builderId(options.builderId())
                .invocationId(options.invocationId())
                .agentName(request.agentName() != null ? request.agentName() : engine.machineName())
                .nodeLabel(options.nodeLabel())
                .emulated(emulated)
                .source(request.sourceUrl(), request.sourceRevision())
                .builder(engine.name(), engine.version())
                .multiarchVersion(MultiarchVersion.get())
                .buildArgNames(argNames)
                .baseImage(content == null ? null : content.baseName(), baseDigest(content))
                .dockerfile(dockerfilePath(request), dockerfileDigest(request))
                .platform(confirmed.platform())
                .times(started, Instant.now())
                .build();
        ProvenanceStatement statement =
                ProvenanceStatement.of(request.image(), confirmed.digest(), facts, options.mode());
        // the index entry is what every registry keeps; an OCI subject too where the registry serves referrers
        AttestationManifest attestation = AttestationManifest.of(
                statement,
                confirmed.manifest().descriptor(),
                servesReferrers(repository, confirmed.digest(), listener));
        new AttestationPush(registry, LogListener.NONE).push(repository, attestation);
        listener.info(request.linePrefix() + "attached provenance (" + options.mode() + ") " + attestation.digest()
                + " to " + repository + "@" + confirmed.digest().shortHex());
        return new ArchImageRecord.Attestation(
                attestation.manifest().descriptor().mediaType(),
                attestation.digest(),
                attestation.manifest().descriptor().size(),
                options.mode().value());
    }

    /** The base's digest as the build recorded it, or null when it recorded none or a malformed one. */
    private static Digest baseDigest(ImageSummary content) {
        if (content == null || content.baseDigest() == null) {
            return null;
        }
        try {
            return Digest.parse(content.baseDigest());
        } catch (InvalidInputException e) {
            return null;
        }
    }

    /** The Dockerfile as the statement names it: relative to the context, with '/' separators. */
    private static String dockerfilePath(BuildRequest request) {
        String relative = request.context().relativize(request.dockerfile()).toString();
        return relative.replace('\\', '/');
    }

    private static Digest dockerfileDigest(BuildRequest request) {
        try {
            return Digest.sha256(Files.readAllBytes(request.dockerfile()));
        } catch (IOException e) {
            throw new InvalidInputException(
                    "Dockerfile '" + request.dockerfile() + "' cannot be read for the" + " provenance ("
                            + e.getMessage() + "): keep it in place until the build ends",
                    e);
        }
    }

    /** Whether to give the attestation an OCI subject: only where the referrers API answers (not distribution 2.8). */
    private boolean servesReferrers(ImageReference repository, Digest child, LogListener listener) {
        try {
            return registry.supportsReferrers(repository, child);
        } catch (RegistryException e) {
            // the registry's messages never carry credentials (RegistryErrors)
            listener.info("could not tell whether " + repository.registry() + " serves the OCI referrers API ("
                    + e.getMessage() + "): the provenance goes into the list's entries alone");
            return false;
        }
    }

    /** A temporary tag (as digest naming pushes) in the repository of the per-arch names. */
    private static ImageReference temporaryName(ImageReference perArch, BuildRequest request) {
        return Naming.DIGEST
                .references(perArch.withoutTagOrDigest(), List.of(), request.platform())
                .get(0);
    }

    /**
     * Best effort: a registry that cannot delete a tag alone (distribution 2.8) keeps it, and the log says so.
     * Returns whether the tag is gone.
     */
    private boolean removeTemporary(ImageReference temporary, LogLines lines) {
        try {
            if (registry.deleteTag(temporary) == RegistryClient.TagDeletion.UNSUPPORTED) {
                lines.line("left the temporary tag " + temporary
                        + " in place: this registry cannot delete a tag without deleting the image");
                return false;
            }
            return true;
        } catch (RegistryException e) {
            lines.line("could not delete the temporary tag " + temporary + ": " + lines.mask(e.getMessage()));
            return false;
        }
    }
}
