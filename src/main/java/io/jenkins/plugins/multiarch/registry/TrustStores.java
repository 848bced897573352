package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS trust: the system's CAs, plus those of an extra PEM file when one is given. The extra CAs are added
 * to, never substituted for, the default trust: a server is trusted when either accepts its chain. Host
 * names are still verified (both managers are extended trust managers, which check the endpoint).
 */
final class TrustStores {

    private TrustStores() {}

    static SSLContext withExtraCa(Path caFile) {
        try {
            X509ExtendedTrustManager system = extended(null);
            KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
            extra.load(null, null);
            List<Certificate> certs = readCertificates(caFile);
            for (int i = 0; i < certs.size(); i++) {
                extra.setCertificateEntry("extra-ca-" + i, certs.get(i));
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Either(system, extended(extra))}, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidInputException(
                    "cannot use the CA file " + caFile + ": " + e.getMessage()
                            + "; give a PEM file with one or more CA certificates",
                    e);
        }
    }

    private static List<Certificate> readCertificates(Path caFile) throws IOException, CertificateException {
        if (!Files.isRegularFile(caFile)) {
            throw new InvalidInputException("the CA file " + caFile + " does not exist or is not a file;"
                    + " give a PEM file with the registry's CA certificate");
        }
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new InvalidInputException("the CA file " + caFile + " holds no certificate;"
                    + " give a PEM file with the registry's CA certificate");
        }
        return new ArrayList<>(certs);
    }

    private static X509ExtendedTrustManager extended(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509ExtendedTrustManager) {
                return (X509ExtendedTrustManager) manager;
            }
        }
        throw new GeneralSecurityException("no X509 trust manager available");
    }

    /** Trusts a server when the system trust or the extra CAs accept it. */
    private static final class Either extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager first;
        private final X509ExtendedTrustManager second;

        Either(X509ExtendedTrustManager first, X509ExtendedTrustManager second) {
            this.first = first;
            this.second = second;
        }

        private interface Check {
            void run(X509ExtendedTrustManager manager) throws CertificateException;
        }

        private void either(Check check) throws CertificateException {
            try {
                check.run(first);
            } catch (CertificateException e) {
                try {
                    check.run(second);
                } catch (CertificateException e2) {
                    e2.addSuppressed(e);
                    throw e2;
                }
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType, engine));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            either(m -> m.checkServerTrusted(chain, authType));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            either(m -> m.checkClientTrusted(chain, authType, socket));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            either(m -> m.checkClientTrusted(chain, authType, engine));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            either(m -> m.checkClientTrusted(chain, authType));
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = first.getAcceptedIssuers();
            X509Certificate[] b = second.getAcceptedIssuers();
            X509Certificate[] all = new X509Certificate[a.length + b.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }
}
