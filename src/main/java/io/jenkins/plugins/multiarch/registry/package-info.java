/**
 * Our own client of the OCI distribution API (java.net.http + jackson).
 *
 * <p>Public: {@link io.jenkins.plugins.multiarch.registry.RegistryClient},
 * {@link io.jenkins.plugins.multiarch.registry.RegistrySettings},
 * {@link io.jenkins.plugins.multiarch.registry.RegistryCredentials},
 * {@link io.jenkins.plugins.multiarch.registry.CredentialsSource},
 * {@link io.jenkins.plugins.multiarch.registry.DockerConfigCredentials}. Everything else is package-private,
 * one concern per class: {@code ChallengeParser}/{@code AuthChallenge} (RFC 7235 WWW-Authenticate),
 * {@code Authenticator} (anonymous, Basic after a Basic challenge, Bearer tokens; one first contact and one
 * token fetch shared by concurrent callers), {@code TokenCache} (per client, keyed by registry, credentials
 * fingerprint and scope set, a token reused wherever its scopes cover the request's), {@code TokenRealm}
 * (where tokens may be requested), {@code Transport} (two JDK clients, redirects never followed by the JDK, HTTP/1.1 for
 * plain http), {@code TrustStores} (an extra CA added to the system trust), {@code RegistryHttp} (one
 * logical request: the Authorization of each attempt, re-authentication once), {@code Exchange} (the attempts of a
 * call: retries under a deadline, our redirects; no authentication), {@code LimitedBody} (body reads within limits
 * and the deadline), {@code TokenFetcher} (token requests, on {@code Exchange}: authentication sits on the
 * transport and never calls back up),
 * {@code RetryPolicy}, {@code RegistryErrors} (errors[] to messages with a fix), {@code Redact}.
 */
package io.jenkins.plugins.multiarch.registry;
