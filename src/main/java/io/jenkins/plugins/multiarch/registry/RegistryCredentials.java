package io.jenkins.plugins.multiarch.registry;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A user name and password (or token) for one registry. The password is kept as a {@code char[]} so the
 * caller can wipe it with {@link #clear()}; {@link #toString()} never shows it.
 */
public final class RegistryCredentials {

    private final String username;
    private final char[] password;

    public RegistryCredentials(String username, char[] password) {
        this.username = Objects.requireNonNull(username, "username");
        this.password = Objects.requireNonNull(password, "password").clone();
    }

    public static RegistryCredentials of(String username, String password) {
        return new RegistryCredentials(username, password.toCharArray());
    }

    public String username() {
        return username;
    }

    /** A copy of the password; the caller should wipe it after use. */
    public char[] password() {
        return password.clone();
    }

    /** Overwrites the password in memory; these credentials are useless afterwards. */
    public void clear() {
        Arrays.fill(password, '\0');
    }

    /** The value of a Basic Authorization header. Never logged. */
    String basicAuthorization() {
        byte[] bytes = utf8(username + ":", password);
        try {
            return "Basic " + Base64.getEncoder().encodeToString(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * A one-way fingerprint that tells two credential sets apart, used to key cached tokens so that two
     * sets of credentials never share a token. Not reversible; never shown.
     */
    String fingerprint() {
        byte[] bytes = utf8(username + "\0", password);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static byte[] utf8(String prefix, char[] secret) {
        CharBuffer chars = CharBuffer.allocate(prefix.length() + secret.length);
        chars.put(prefix).put(secret).flip();
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(chars);
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        Arrays.fill(chars.array(), '\0');
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }

    @Override
    public String toString() {
        return "RegistryCredentials[username=" + username + ", password=****]";
    }
}
