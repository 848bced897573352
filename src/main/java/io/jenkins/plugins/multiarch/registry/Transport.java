package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.LogListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * Sends single HTTP exchanges and counts them. Two JDK clients: one for https (the caller's builder, its
 * HTTP version kept) and one for plain http forced to HTTP/1.1 (the JDK's default HTTP/2 mode sends an
 * {@code Upgrade: h2c} that some registries and proxies mishandle). Both never follow redirects: the JDK
 * would forward our Authorization header to another origin, so {@link RegistryHttp} follows them itself.
 * Debug lines name the method, the redacted URL and the kind of authorization, never its value.
 */
final class Transport {

    private final HttpClient https;
    private final HttpClient http;
    private final AtomicInteger requests = new AtomicInteger();
    private final LogListener listener;

    Transport(RegistrySettings settings) {
        SSLContext tls = settings.caFile().map(TrustStores::withExtraCa).orElse(null);
        HttpClient.Builder secure = settings.httpClientBuilder().get().followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            secure.sslContext(tls);
        }
        this.https = secure.build();
        this.http = settings.httpClientBuilder()
                .get()
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.listener = settings.listener();
    }

    HttpResponse<InputStream> send(HttpRequest request, String authKind) throws IOException, InterruptedException {
        URI uri = request.uri();
        HttpClient client = "http".equalsIgnoreCase(uri.getScheme()) ? http : https;
        requests.incrementAndGet();
        long start = System.nanoTime();
        String what = request.method() + " " + Redact.url(uri);
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            listener.debug("HTTP " + what + " (auth: " + authKind + ") -> " + response.statusCode() + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
            return response;
        } catch (IOException e) {
            listener.debug(
                    "HTTP " + what + " (auth: " + authKind + ") failed after " + (System.nanoTime() - start) / 1_000_000
                            + " ms: " + e.getClass().getSimpleName());
            throw e;
        }
    }

    int requestCount() {
        return requests.get();
    }
}
