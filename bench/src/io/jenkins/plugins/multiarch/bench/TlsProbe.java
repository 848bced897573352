package io.jenkins.plugins.multiarch.bench;

import io.jenkins.plugins.multiarch.testing.RegistryServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** What a TLS registry negotiates with this JDK: protocol version and ALPN (h2 = HTTP/2). */
final class TlsProbe {

    private TlsProbe() {}

    static String protocol(RegistryServer registry) {
        try (SSLSocket s = (SSLSocket) registry.sslContext().getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", registry.port()), 5000);
            SSLParameters p = s.getSSLParameters();
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            return s.getSession().getProtocol() + ", ALPN " + s.getApplicationProtocol();
        } catch (IOException e) {
            return "(TLS probe failed: " + e + ")";
        }
    }
}
