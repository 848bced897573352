package io.jenkins.plugins.multiarch.image;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A content digest {@code algorithm:hex} as used by OCI and Docker registries. Only {@code sha256}
 * and {@code sha512} are accepted: they are the algorithms registries implement, and accepting
 * anything else would let a reference name content nobody can verify.
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {

    public static final String SHA256 = "sha256";
    public static final String SHA512 = "sha512";

    public Digest {
        if (algorithm == null || hex == null) {
            throw new InvalidInputException("invalid digest '" + algorithm + ":" + hex
                    + "': algorithm and hex must both be given, e.g. sha256:" + "0".repeat(64));
        }
        String input = algorithm + ":" + hex;
        int expected = hexLength(algorithm, input);
        if (hex.length() != expected) {
            throw new InvalidInputException("invalid digest '" + input + "': a " + algorithm + " digest has " + expected
                    + " hex characters, this one has " + hex.length());
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            if (!ok) {
                throw new InvalidInputException("invalid digest '" + input + "': the hex part must be lowercase hex"
                        + " [0-9a-f], found '" + c + "' at position " + i);
            }
        }
    }

    /** Parses {@code sha256:<64 hex>} or {@code sha512:<128 hex>}. */
    public static Digest parse(String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(
                    "invalid digest '" + value + "': it is empty, e.g. sha256:" + "0".repeat(64));
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw new InvalidInputException("invalid digest '" + value
                    + "': it must have the form algorithm:hex, e.g. sha256:" + "0".repeat(64));
        }
        return new Digest(value.substring(0, colon), value.substring(colon + 1));
    }

    /** The sha256 digest of exactly these bytes. */
    public static Digest sha256(byte[] content) {
        return compute(SHA256, content);
    }

    /** The digest of exactly these bytes with {@code sha256} or {@code sha512}. */
    public static Digest compute(String algorithm, byte[] content) {
        hexLength(algorithm, algorithm + ":");
        return new Digest(
                algorithm, HexFormat.of().formatHex(messageDigest(algorithm).digest(content)));
    }

    /** True when these bytes hash to this digest (with this digest's algorithm). */
    public boolean matches(byte[] content) {
        return MessageDigest.isEqual(
                messageDigest(algorithm).digest(content), HexFormat.of().parseHex(hex));
    }

    /** A fresh {@link MessageDigest} for this digest's algorithm, for hashing streamed content. */
    public MessageDigest newMessageDigest() {
        return messageDigest(algorithm);
    }

    /** The first 12 hex characters, the short form {@code docker images} shows. */
    public String shortHex() {
        return hex.substring(0, 12);
    }

    @Override
    public int compareTo(Digest other) {
        return toString().compareTo(other.toString());
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    private static int hexLength(String algorithm, String input) {
        switch (algorithm) {
            case SHA256:
                return 64;
            case SHA512:
                return 128;
            default:
                String hint =
                        algorithm.toLowerCase(Locale.ROOT).equals(algorithm) ? "" : " (algorithm names are lowercase)";
                throw new InvalidInputException("invalid digest '" + input + "': unsupported algorithm '" + algorithm
                        + "'" + hint + "; only sha256 and sha512 are supported, e.g. sha256:" + "0".repeat(64));
        }
    }

    private static MessageDigest messageDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(SHA256.equals(algorithm) ? "SHA-256" : "SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks " + algorithm, e); // every Java 17 JVM has both
        }
    }
}
