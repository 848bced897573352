package io.jenkins.plugins.multiarch.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small Docker token server (the registry's {@code auth: token} realm) on 127.0.0.1. It checks basic credentials,
 * grants the requested {@code scope}s to known users (pull-only users get only {@code pull}), and signs RS256 JWTs
 * with a test key whose certificate goes in the header's {@code x5c} and in the registry's rootcertbundle.
 * Anonymous requests get a token without access; wrong credentials get 401. Every request is recorded.
 *
 * <p>It also speaks the OAuth2 refresh-token grant of distribution's token spec ({@code docs/spec/auth/oauth.md}):
 * {@code POST /token} with the form {@code grant_type=refresh_token&refresh_token=..&service=..&scope=..&client_id=..}
 * gets the same scoped token as the refresh token's user would with Basic; an unknown refresh token gets 401
 * {@code {"error":"invalid_grant"}}, another grant type 400 {@code unsupported_grant_type}, no client_id 400
 * {@code invalid_request}.
 */
public final class TokenIssuer implements AutoCloseable {

    public static final String SERVICE = "test-registry";
    public static final String ISSUER = "test-issuer";

    /**
     * What a client asked the issuer. {@code user} is null for anonymous or rejected requests; {@code basicUser} is
     * the user name of a Basic Authorization header (accepted or not), else null; {@code grantType} and
     * {@code clientId} come from a POST's form (null for GET); service and scopes from the query or the form.
     */
    public record TokenRequest(
            String method,
            String path,
            String query,
            boolean authorizationPresent,
            String user,
            String service,
            List<String> scopes,
            int status,
            String basicUser,
            String grantType,
            String clientId,
            String contentType) {}

    private record User(String password, boolean pullOnly) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path certFile;
    private final PrivateKey key;
    private final String x5c;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "token-issuer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, User> users = new ConcurrentHashMap<>();
    /** Refresh token (identity token) to the user it stands for. */
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();

    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Duration lifetime = Duration.ofMinutes(5);
    private volatile String defaultUser;

    /** Starts an issuer with one user {@code testuser}/{@code testpass}. */
    public TokenIssuer() {
        this("testuser", "testpass");
    }

    public TokenIssuer(String user, String password) {
        try {
            dir = Files.createTempDirectory("token-issuer-");
            certFile = dir.resolve("cert.pem");
            Path keyFile = dir.resolve("key.pem");
            TestTls.makeSelfSigned("multiarch test token signer", certFile, keyFile);
            key = TestTls.readPkcs8RsaKey(keyFile);
            x5c = Base64.getEncoder()
                    .encodeToString(TestTls.readCertificate(certFile).getEncoded());
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the token issuer", e);
        }
        addUser(user, password);
        defaultUser = user;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A user granted every requested action. */
    public TokenIssuer addUser(String user, String password) {
        users.put(user, new User(password, false));
        return this;
    }

    /** A user granted only {@code pull}, whatever it asks for. */
    public TokenIssuer addPullOnlyUser(String user, String password) {
        users.put(user, new User(password, true));
        return this;
    }

    /** A refresh token (what docker calls an identity token) that stands for {@code user}, a known user. */
    public TokenIssuer addRefreshToken(String user, String refreshToken) {
        if (!users.containsKey(user)) {
            throw new IllegalArgumentException("unknown user " + user);
        }
        refreshTokens.put(refreshToken, user);
        return this;
    }

    /** Lifetime of the tokens issued from now on (default 5 minutes; a short one tests re-authentication). */
    public TokenIssuer tokenLifetime(Duration d) {
        this.lifetime = d;
        return this;
    }

    /** The realm URL the registry sends clients to: {@code http://127.0.0.1:PORT/token}. */
    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The signing certificate (PEM): the registry's rootcertbundle. */
    public Path certFile() {
        return certFile;
    }

    public String defaultUser() {
        return defaultUser;
    }

    public String defaultPassword() {
        return users.get(defaultUser).password();
    }

    /** Every request so far, in order. */
    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    public void clearRequests() {
        requests.clear();
    }

    /** Signs a token for {@code subject} with exactly these access entries (type, name, actions). */
    public String sign(String subject, List<Map<String, Object>> access, Duration validFor) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("x5c", List.of(x5c));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", SERVICE);
        claims.put("exp", now + validFor.getSeconds());
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        try {
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(s.sign());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            String rawQuery = uri.getRawQuery();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            byte[] body = ex.getRequestBody().readAllBytes();
            Seen seen = new Seen(ex, rawQuery, auth);
            if (!"/token".equals(uri.getPath())
                    || !("GET".equals(ex.getRequestMethod()) || "POST".equals(ex.getRequestMethod()))) {
                seen.params(parseQuery(rawQuery));
                record(seen, null, 404);
                send(ex, 404, Map.of("errors", List.of(Map.of("code", "NOT_FOUND", "message", "GET or POST /token"))));
                return;
            }
            if ("POST".equals(ex.getRequestMethod())) {
                handleGrant(ex, seen, body);
                return;
            }
            seen.params(parseQuery(rawQuery));
            String user = null;
            boolean pullOnly = true;
            if (auth != null) {
                String[] cred = basic(auth);
                User u = cred == null ? null : users.get(cred[0]);
                if (u == null || !u.password().equals(cred[1])) {
                    record(seen, null, 401);
                    ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"test-issuer\"");
                    send(
                            ex,
                            401,
                            Map.of("errors", List.of(Map.of("code", "UNAUTHORIZED", "message", "bad credentials"))));
                    return;
                }
                user = cred[0];
                pullOnly = u.pullOnly();
            }
            Duration life = lifetime;
            List<Map<String, Object>> granted = user == null ? List.of() : access(seen.scopes, pullOnly);
            String token = sign(user != null ? user : "", granted, life);
            record(seen, user, 200);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("token", token);
            answer.put("access_token", token);
            answer.put("expires_in", life.getSeconds());
            answer.put("issued_at", Instant.now().toString());
            send(ex, 200, answer);
        }
    }

    /** {@code POST /token}: the OAuth2 refresh-token grant (the form in the body, as distribution's spec has it). */
    private void handleGrant(HttpExchange ex, Seen seen, byte[] body) throws IOException {
        Map<String, List<String>> form = parseQuery(new String(body, StandardCharsets.US_ASCII));
        seen.params(form);
        seen.grantType = first(form, "grant_type");
        seen.clientId = first(form, "client_id");
        if (seen.clientId == null || seen.clientId.isEmpty()) {
            record(seen, null, 400);
            send(ex, 400, Map.of("error", "invalid_request", "error_description", "client_id is required"));
            return;
        }
        if (!"refresh_token".equals(seen.grantType)) {
            record(seen, null, 400);
            send(ex, 400, Map.of("error", "unsupported_grant_type"));
            return;
        }
        String refreshToken = first(form, "refresh_token");
        String user = refreshToken == null ? null : refreshTokens.get(refreshToken);
        if (user == null) {
            record(seen, null, 401);
            send(ex, 401, Map.of("error", "invalid_grant"));
            return;
        }
        Duration life = lifetime;
        List<Map<String, Object>> granted = access(seen.scopes, users.get(user).pullOnly());
        String token = sign(user, granted, life);
        record(seen, user, 200);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("access_token", token); // no "token": a client of this grant reads access_token
        answer.put("expires_in", life.getSeconds());
        answer.put("issued_at", Instant.now().toString());
        answer.put("scope", String.join(" ", seen.scopes));
        send(ex, 200, answer);
    }

    /** The access entries a user gets for these scopes (a pull-only user: pull at most). */
    private static List<Map<String, Object>> access(List<String> scopes, boolean pullOnly) {
        List<Map<String, Object>> access = new ArrayList<>();
        for (String scope : scopes) {
            int first = scope.indexOf(':');
            int last = scope.lastIndexOf(':');
            if (first < 0 || last <= first) {
                continue;
            }
            List<String> actions = new ArrayList<>();
            for (String a : scope.substring(last + 1).split(",")) {
                if (!pullOnly || a.equals("pull")) {
                    actions.add(a);
                }
            }
            String type = scope.substring(0, first);
            int paren = type.indexOf('('); // "repository(plugin)" -> "repository"
            access.add(Map.of(
                    "type",
                    paren > 0 ? type.substring(0, paren) : type,
                    "name",
                    scope.substring(first + 1, last),
                    "actions",
                    actions));
        }
        return access;
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** What one request carried, gathered as it is read. */
    private static final class Seen {
        final String method;
        final String path;
        final String query;
        final String authorization;
        final String contentType;
        String service = "";
        List<String> scopes = List.of();
        String grantType;
        String clientId;

        Seen(HttpExchange ex, String query, String authorization) {
            this.method = ex.getRequestMethod();
            this.path = ex.getRequestURI().getPath();
            this.query = query;
            this.authorization = authorization;
            this.contentType = ex.getRequestHeaders().getFirst("Content-Type");
        }

        void params(Map<String, List<String>> params) {
            List<String> all = new ArrayList<>();
            for (String s : params.getOrDefault("scope", List.of())) {
                for (String one : s.split(" ")) { // one param may carry several space-separated scopes
                    if (!one.isBlank()) {
                        all.add(one);
                    }
                }
            }
            scopes = List.copyOf(all);
            service = params.getOrDefault("service", List.of("")).get(0);
        }
    }

    private void record(Seen seen, String user, int status) {
        String[] basic = seen.authorization == null ? null : basic(seen.authorization);
        requests.add(new TokenRequest(
                seen.method,
                seen.path,
                seen.query,
                seen.authorization != null,
                user,
                seen.service,
                seen.scopes,
                status,
                basic == null ? null : basic[0],
                seen.grantType,
                seen.clientId,
                seen.contentType));
    }

    private static String[] basic(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String dec =
                    new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = dec.indexOf(':');
            return colon < 0 ? null : new String[] {dec.substring(0, colon), dec.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        Exec.deleteTree(dir);
    }
}
