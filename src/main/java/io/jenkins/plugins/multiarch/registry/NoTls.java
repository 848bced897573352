package io.jenkins.plugins.multiarch.registry;

import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An SSL context that does no TLS at all, for the JDK client that only ever sends http:// requests
 * ({@link Connections} gives https ones to the other client). A JDK client built without one loads the default
 * context (the JSSE provider, its algorithm constraints, the system's CA certificates: about 0.2 s of a cold
 * start), and even an uninitialised {@code SSLContext.getInstance("TLS")} loads the provider (about 0.1 s). Any
 * attempt at TLS through it fails; it never talks TLS without trust.
 */
final class NoTls extends SSLContext {

    NoTls() {
        super(new Spi(), null, "none");
    }

    private static final class Spi extends SSLContextSpi {
        private static UnsupportedOperationException refused() {
            return new UnsupportedOperationException("the plain-HTTP client does no TLS");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
            throw refused();
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw refused();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            throw refused();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            throw refused();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return new SSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return new SSLParameters();
        }
    }
}
