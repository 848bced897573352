package io.jenkins.plugins.multiarch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * One start-up cost in a fresh JVM (scenario 9), by argument: {@code default-tls} builds a JDK HTTP client the
 * usual way (which loads the default SSL context, the system's CA certificates included), {@code uninitialised-tls}
 * with an SSL context never initialised (which still loads the JSSE provider), {@code no-tls} as the engine's
 * plain-HTTP client is built (the engine's {@code NoTls} context, which does no TLS at all), {@code jackson} makes
 * the first ObjectMapper and parses a manifest. Prints {@code PROBE name ms}.
 */
public final class ColdProbe {

    private ColdProbe() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        switch (args[0]) {
            case "default-tls" ->
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            case "uninitialised-tls" ->
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .sslContext(SSLContext.getInstance("TLS"))
                        .sslParameters(new SSLParameters())
                        .build();
            case "no-tls" -> {
                java.lang.reflect.Constructor<?> noTls = Class.forName("io.jenkins.plugins.multiarch.registry.NoTls")
                        .getDeclaredConstructor();
                noTls.setAccessible(true);
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .sslContext((SSLContext) noTls.newInstance())
                        .sslParameters(new SSLParameters())
                        .build();
            }
            case "jackson" ->
                new ObjectMapper()
                        .readTree("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                                + "\"config\":{\"digest\":\"sha256:00\",\"size\":1},\"layers\":[]}");
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.printf(Locale.ROOT, "PROBE %s %.1f%n", args[0], (System.nanoTime() - t0) / 1e6);
    }
}
