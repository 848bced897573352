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
 * The credentials for one registry: a user name and password (or access token), or an identity token. The secret
 * is kept as a {@code char[]} so the caller can wipe it with {@link #clear()}; {@link #toString()} never shows it.
 *
 * <p>An identity token is what docker calls an OAuth2 refresh token ({@code identitytoken} in {@code config.json},
 * or a credential helper's answer with the user name {@code <token>}). It is never sent as a password: only a
 * token service gets it, in the refresh-token grant ({@link TokenFetcher}); a registry asking for Basic gets
 * nothing from it.
 */
public final class RegistryCredentials {

    /** docker-credential-helpers' user name for an identity token, which is what {@link #username()} gives for one. */
    public static final String IDENTITY_TOKEN_USERNAME = "<token>";

    private final String username;
    private final char[] password;
    private final boolean identityToken;

    public RegistryCredentials(String username, char[] password) {
        this(username, password, false);
    }

    private RegistryCredentials(String username, char[] password, boolean identityToken) {
        this.username = Objects.requireNonNull(username, "username");
        this.password = Objects.requireNonNull(password, "password").clone();
        this.identityToken = identityToken;
    }

    /** An identity token (OAuth2 refresh token); the array is copied, the caller may wipe its own. */
    public static RegistryCredentials identityToken(char[] token) {
        if (Objects.requireNonNull(token, "token").length == 0) {
            throw new IllegalArgumentException("an identity token cannot be empty");
        }
        return new RegistryCredentials(IDENTITY_TOKEN_USERNAME, token, true);
    }

    public static RegistryCredentials of(String username, String password) {
        return new RegistryCredentials(username, password.toCharArray());
    }

    /** The user name; {@value #IDENTITY_TOKEN_USERNAME} for an identity token. */
    public String username() {
        return username;
    }

    /** Whether this is an identity token (sent only to a token service, in the refresh-token grant). */
    public boolean isIdentityToken() {
        return identityToken;
    }

    /** A copy of the password, or of the identity token; the caller should wipe it after use. */
    public char[] password() {
        return password.clone();
    }

    /** A copy of the credentials, which the caller may wipe without wiping these. */
    public RegistryCredentials copy() {
        return new RegistryCredentials(username, password, identityToken);
    }

    /** Overwrites the password in memory; these credentials are useless afterwards. */
    public void clear() {
        Arrays.fill(password, '\0');
    }

    /** The value of a Basic Authorization header. Never logged. Never for an identity token. */
    String basicAuthorization() {
        if (identityToken) {
            throw new IllegalStateException("an identity token is never sent as a user name and password");
        }
        byte[] bytes = utf8(username + ":", password);
        try {
            return "Basic " + Base64.getEncoder().encodeToString(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /**
     * A one-way fingerprint that tells two credential sets apart, used to key cached tokens so that two
     * sets of credentials never share a token (nor a password and an identity token with the same characters).
     * Not reversible; never shown.
     */
    String fingerprint() {
        byte[] bytes = utf8(identityToken ? "T\0" : "P" + username + "\0", password);
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
        return identityToken
                ? "RegistryCredentials[identity token ****]"
                : "RegistryCredentials[username=" + username + ", password=****]";
    }
}
