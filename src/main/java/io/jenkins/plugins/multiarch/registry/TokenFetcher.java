package io.jenkins.plugins.multiarch.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import io.jenkins.plugins.multiarch.RegistryException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Asks a registry's token service for a Bearer token: {@code GET realm?service=..&scope=..} with Basic
 * credentials (or none), or, with an identity token, the OAuth2 refresh-token grant ({@code POST realm}); over
 * the plain {@link Exchange} (retries and the caller's deadline, no challenges, no redirects: credentials never
 * follow one). As regclient's {@code internal/auth} handlers take an HTTP
 * client, {@link Authenticator} takes this fetcher: authentication sits on the transport, never the other way.
 */
final class TokenFetcher {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Our client_id in the refresh-token grant (required by the spec; it names the client for audits). */
    static final String CLIENT_ID = "multiarch";
    /** A token answer is small; anything bigger is not one. */
    private static final long MAX_ANSWER = 1024 * 1024;

    private final Exchange exchange;
    private final Set<String> insecureRegistries;
    private final Clock clock;

    /**
     * @param insecureRegistries the registries the user named as plain HTTP ({@link TokenRealm#validate})
     */
    TokenFetcher(Exchange exchange, Set<String> insecureRegistries, Clock clock) {
        this.exchange = exchange;
        this.insecureRegistries = Set.copyOf(insecureRegistries);
        this.clock = clock;
    }

    /**
     * A token for {@code scopes} from the token service the registry's challenge named (checked again here:
     * no credentials to a realm {@link TokenRealm} refuses), within the deadline of the request that needs it.
     */
    BearerToken fetch(
            Endpoint endpoint,
            AuthChallenge challenge,
            Set<String> scopes,
            Optional<RegistryCredentials> creds,
            String operation,
            Deadline deadline) {
        URI realm = TokenRealm.validate(endpoint, challenge.param("realm").orElse(null), insecureRegistries);
        if (creds.isPresent() && creds.get().isIdentityToken()) {
            return fetchWithRefreshToken(endpoint, challenge, realm, scopes, creds.get(), operation, deadline);
        }
        StringBuilder query = new StringBuilder(realm.getRawQuery() == null ? "" : realm.getRawQuery());
        challenge.param("service").filter(s -> !s.isEmpty()).ifPresent(s -> append(query, "service", s));
        for (String scope : new TreeSet<>(scopes)) {
            append(query, "scope", scope);
        }
        String base = realm.getScheme() + "://" + realm.getRawAuthority()
                + (realm.getRawPath() == null ? "" : realm.getRawPath());
        URI uri = URI.create(base + (query.length() == 0 ? "" : "?" + query));
        String who = creds.map(c -> "the credentials of user " + c.username()).orElse("anonymous access");
        Call call = new Call(
                        "get a token for " + endpoint.registry() + " from " + Redact.url(realm) + " (to " + operation
                                + ")",
                        new Endpoint(realm.getRawAuthority(), realm.getScheme()),
                        "GET",
                        uri)
                .noRedirects()
                .maxBody(MAX_ANSWER);
        call.authenticate = false;
        call.fixedAuthorization =
                creds.map(RegistryCredentials::basicAuthorization).orElse(null);
        Instant requested = clock.instant();
        Reply reply = exchange.send(call, deadline, Exchange.fixed(call), new Exchange.Tries());
        refuseRedirect(call, reply);
        if (reply.status == 401 || reply.status == 403) {
            throw new RegistryAuthenticationException(
                    call.operation + " failed: the token service refused " + who + " (HTTP " + reply.status
                            + "). Check the credentials for " + endpoint.registry() + ".",
                    reply.status);
        }
        if (!reply.ok()) {
            throw RegistryErrors.failure(call.operation, endpoint, scopes.toString(), reply);
        }
        return parse(call, endpoint, reply, requested);
    }

    /**
     * The OAuth2 refresh-token grant of distribution's token spec ({@code docs/spec/auth/oauth.md}), as
     * distribution's {@code registry/client/auth/session.go} {@code fetchTokenWithOAuth} sends it: {@code POST realm}
     * with the form {@code grant_type=refresh_token, refresh_token, service, scope (space-separated), client_id}, no
     * Authorization header, no redirects. The identity token is only ever in that body, which is wiped afterwards and
     * never shown; the service's answer is never quoted either (it may echo the grant).
     *
     * <p>A new {@code refresh_token} in the answer is not kept: the one the user configured goes on working for this
     * client's later fetches, as the spec says ("this will only return the same refresh token").
     */
    private BearerToken fetchWithRefreshToken(
            Endpoint endpoint,
            AuthChallenge challenge,
            URI realm,
            Set<String> scopes,
            RegistryCredentials identity,
            String operation,
            Deadline deadline) {
        Call call = new Call(
                        "get a token for " + endpoint.registry() + " from " + Redact.url(realm) + " with an identity"
                                + " token (to " + operation + ")",
                        new Endpoint(realm.getRawAuthority(), realm.getScheme()),
                        "POST",
                        realm)
                .noRedirects()
                .maxBody(MAX_ANSWER)
                .header("Content-Type", "application/x-www-form-urlencoded");
        call.authenticate = false;
        call.fixedAuthorization = null;
        call.body = refreshForm(identity, challenge.param("service").orElse(""), scopes);
        Instant requested = clock.instant();
        Reply reply;
        try {
            reply = exchange.send(call, deadline, Exchange.fixed(call), new Exchange.Tries());
        } finally {
            Arrays.fill(call.body, (byte) 0);
        }
        refuseRedirect(call, reply);
        if (reply.status == 401 || reply.status == 403 || isInvalidGrant(reply)) {
            throw new RegistryAuthenticationException(
                    call.operation + " failed: the token service refused the identity token (HTTP " + reply.status
                            + "). It may have expired or been revoked: log in to " + endpoint.registry()
                            + " again (docker login " + endpoint.registry() + "), or give a user name and password.",
                    reply.status);
        }
        if (reply.status == 404 || reply.status == 405 || isError(reply, "unsupported_grant_type")) {
            throw new RegistryAuthenticationException(
                    call.operation + " failed: the token service does not accept the OAuth2 refresh-token grant (HTTP "
                            + reply.status + "), so the identity token for " + endpoint.registry()
                            + " cannot be used there. Give a user name and password (or access token) for "
                            + endpoint.registry() + " instead.",
                    reply.status);
        }
        if (!reply.ok()) {
            throw new RegistryException(
                    call.operation + " failed: HTTP " + reply.status + " from the token service (its answer is not"
                            + " shown). Check the registry's token service, then retry.",
                    reply.status,
                    null);
        }
        return parse(call, endpoint, reply, requested);
    }

    /** The form body, built in a buffer of ours (no String ever holds the token) that the caller wipes. */
    private static byte[] refreshForm(RegistryCredentials identity, String service, Set<String> scopes) {
        StringBuilder form = new StringBuilder("grant_type=refresh_token");
        append(form, "service", service);
        append(form, "client_id", CLIENT_ID);
        if (!scopes.isEmpty()) {
            append(form, "scope", String.join(" ", new TreeSet<>(scopes)));
        }
        byte[] head = form.append("&refresh_token=").toString().getBytes(StandardCharsets.US_ASCII);
        char[] token = identity.password();
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(token));
        byte[] utf8 = new byte[encoded.remaining()];
        encoded.get(utf8);
        try {
            int length = head.length;
            for (byte b : utf8) {
                length += unreserved(b) ? 1 : 3;
            }
            byte[] body = Arrays.copyOf(head, length);
            int at = head.length;
            for (byte b : utf8) {
                if (unreserved(b)) {
                    body[at++] = b;
                } else {
                    body[at++] = '%';
                    body[at++] = (byte) Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16));
                    body[at++] = (byte) Character.toUpperCase(Character.forDigit(b & 0xf, 16));
                }
            }
            return body;
        } finally {
            Arrays.fill(token, '\0');
            Arrays.fill(utf8, (byte) 0);
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
        }
    }

    /** What form encoding leaves as is ({@link URLEncoder}'s set). */
    private static boolean unreserved(byte b) {
        return (b >= 'a' && b <= 'z')
                || (b >= 'A' && b <= 'Z')
                || (b >= '0' && b <= '9')
                || b == '-'
                || b == '.'
                || b == '_'
                || b == '*';
    }

    private static void refuseRedirect(Call call, Reply reply) {
        if (reply.status >= 300 && reply.status < 400) {
            throw new RegistryAuthenticationException(
                    call.operation + " failed: the token service answered with a"
                            + " redirect (HTTP " + reply.status
                            + "), which is never followed with credentials. Check the"
                            + " registry's token service configuration.",
                    reply.status);
        }
    }

    /** RFC 6749 section 5.2: a refused grant is HTTP 400 with {@code {"error": "invalid_grant"}}. */
    private static boolean isInvalidGrant(Reply reply) {
        return reply.status == 400 && isError(reply, "invalid_grant");
    }

    private static boolean isError(Reply reply, String code) {
        if (reply.status < 400 || reply.body == null || reply.body.length == 0) {
            return false;
        }
        try {
            return code.equals(JSON.readTree(reply.body).path("error").asText(""));
        } catch (Exception e) {
            return false;
        }
    }

    /** The token (or {@code access_token}) and its lifetime from the service's JSON answer. */
    private static BearerToken parse(Call call, Endpoint endpoint, Reply reply, Instant requested) {
        JsonNode body;
        try {
            body = JSON.readTree(reply.body);
        } catch (Exception e) {
            throw new RegistryException(
                    call.operation + " failed: the token service's answer is not JSON", reply.status, null);
        }
        String token = body.path("token").asText("");
        if (token.isEmpty()) {
            token = body.path("access_token").asText("");
        }
        if (token.isEmpty()) {
            throw new RegistryAuthenticationException(
                    call.operation + " failed: the token service answered without"
                            + " a token. Check the credentials for " + endpoint.registry() + ".",
                    reply.status);
        }
        Instant issued = requested;
        String issuedAt = body.path("issued_at").asText("");
        if (!issuedAt.isEmpty()) {
            try {
                Instant at = Instant.parse(issuedAt);
                // A skewed server clock must not make the token look expired or immortal.
                if (Math.abs(at.getEpochSecond() - requested.getEpochSecond()) < 300) {
                    issued = at;
                }
            } catch (DateTimeParseException ignored) {
                // keep our own clock
            }
        }
        return BearerToken.issued(token, issued, body.path("expires_in").asLong(0));
    }

    private static void append(StringBuilder query, String name, String value) {
        if (query.length() > 0) {
            query.append('&');
        }
        query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
}
