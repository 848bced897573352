package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.VerificationException;
import io.jenkins.plugins.multiarch.image.Digest;
import java.util.Optional;

/** The registry's {@code Docker-Content-Digest} answer header: absent, or a digest we can read. */
final class DigestHeader {

    static final String NAME = "Docker-Content-Digest";

    private DigestHeader() {}

    /**
     * The digest the registry claims, empty when it sends none.
     *
     * @throws VerificationException when the header is there but is no digest
     */
    static Optional<Digest> claimed(Reply reply, String operation) {
        Optional<String> header = reply.header(NAME);
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Digest.parse(header.get().strip()));
        } catch (InvalidInputException e) {
            throw new VerificationException(
                    operation + ": the registry sent an unreadable " + NAME + " '"
                            + RegistryErrors.truncate(header.get(), 150) + "'",
                    e);
        }
    }
}
