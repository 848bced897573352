package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.RegistryAuthenticationException;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Runs a {@link Call} with authentication: the {@link Authenticator}'s Authorization on every attempt, and one
 * re-authentication on a 401 from the registry's own origin. The attempts themselves (retries with backoff under
 * an overall deadline, our redirect handling, limited body reads) are the {@link Exchange}'s.
 *
 * <p>The layers only point down: {@code RegistryHttp -> Authenticator -> TokenFetcher -> Exchange -> Transport},
 * and {@code RegistryHttp -> Exchange}. A token request is an ordinary exchange with fixed Basic credentials (or
 * none), never a call back into this class.
 */
final class RegistryHttp {

    private final RegistrySettings settings;
    private final Transport transport;
    private final Exchange exchange;
    private final Authenticator auth;

    RegistryHttp(RegistrySettings settings) {
        this.settings = settings;
        this.transport = new Transport(settings);
        this.exchange = new Exchange(settings, transport);
        Clock clock = Clock.systemUTC();
        this.auth = new Authenticator(
                settings.credentials(),
                settings.insecureRegistries(),
                new TokenFetcher(exchange, settings.insecureRegistries(), clock),
                settings.listener(),
                clock);
    }

    int requestCount() {
        return transport.requestCount();
    }

    /** Guards of body reads not yet fired nor cancelled (tests: cancelled ones must not pile up). */
    static int pendingWatchdogTasks() {
        return LimitedBody.pendingWatchdogTasks();
    }

    /**
     * Runs the call to a final reply: 2xx, or a status that is not retried (or no longer: see
     * {@link Reply#attempts}). 401 after the one re-authentication throws. Network failures that outlast
     * the retries throw {@link io.jenkins.plugins.multiarch.RegistryException}.
     */
    Reply send(Call call) {
        Deadline deadline = Deadline.after(settings.deadline());
        Exchange.Tries tries = new Exchange.Tries();
        if (!call.authenticate) {
            return exchange.send(call, deadline, Exchange.fixed(call), tries);
        }
        // Parallel first requests to one registry: one learns the challenge, the others wait for it.
        Authorizing authorizing = new Authorizing(call, deadline, auth.beginFirstContact(call.endpoint, deadline));
        try {
            for (boolean reauthenticated = false; ; reauthenticated = true) {
                Reply reply = exchange.send(call, deadline, authorizing, tries);
                if (reply.status != 401 || !call.endpoint.sameOrigin(reply.uri)) {
                    return reply;
                }
                if (reauthenticated) {
                    throw unauthorized(call, reply);
                }
                authorizing.refused(reply);
                if (call.streamBody != null) {
                    // The stream is spent: learn the challenge (the refused token is forgotten), then let
                    // the caller open a new session and read the blob again.
                    throw new Exchange.UploadSessionLostException(call.operation + " failed: the registry asked to"
                            + " authenticate again (HTTP 401) after the blob was streamed; the upload session is"
                            + " lost and a new one is needed");
                }
                tries.attempts--; // an authentication round trip is not a retry
            }
        } finally {
            authorizing.firstContactDone();
        }
    }

    private RegistryAuthenticationException unauthorized(Call call, Reply reply) {
        String host = call.endpoint.registry();
        String why = auth.hasCredentials(call.endpoint)
                ? "the registry refused the credentials configured for " + host + ". Check the credentials for " + host
                        + "."
                : "the registry requires authentication and no credentials are configured for " + host
                        + ". Give credentials for " + host + " (docker login, or the job's credentials).";
        List<RegistryErrors.RegistryError> errors = RegistryErrors.parse(reply.body);
        return new RegistryAuthenticationException(
                call.operation + " failed: HTTP 401" + (errors.isEmpty() ? "" : " " + errors.get(0)) + ": " + why, 401);
    }

    /**
     * The authentication state of one call: the scopes it asks for (grown by a challenge), whether the next
     * token must be fresh, the Authorization of its last attempt, and whether it still holds the registry's
     * first contact (released once an answer was handled, so that waiting callers go on).
     */
    private final class Authorizing implements Exchange.Authorizer {
        private final Call call;
        private final Deadline deadline;
        private Set<String> scopes;
        private boolean freshToken;
        private String last;
        private boolean firstContact;

        Authorizing(Call call, Deadline deadline, boolean firstContact) {
            this.call = call;
            this.deadline = deadline;
            this.scopes = call.scopes;
            this.firstContact = firstContact;
        }

        @Override
        public String next() {
            // After a refusal, a new token: a cached one covering these scopes may be as stale.
            last = auth.authorization(call.endpoint, scopes, call.operation, freshToken, deadline)
                    .orElse(null);
            freshToken = false;
            return last;
        }

        @Override
        public void attempted(Reply reply) {
            // A 401 from the registry is handled first (its challenge learned): only then may the others go on.
            if (reply == null || reply.status != 401 || !call.endpoint.sameOrigin(reply.uri)) {
                firstContactDone();
            }
        }

        /** Learns from the registry's 401 (challenge, scopes it names, the refused token forgotten). */
        void refused(Reply reply) {
            freshToken = last != null;
            scopes = auth.onUnauthorized(
                    call.endpoint, reply.headers.allValues("WWW-Authenticate"), scopes, last, call.operation);
        }

        void firstContactDone() {
            if (firstContact) {
                auth.firstContactDone(call.endpoint);
                firstContact = false;
            }
        }
    }
}
