package io.jenkins.plugins.multiarch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Test certificates made with the openssl CLI, and the JDK objects that read them. */
public final class TestTls {

    /** A CA and a server certificate for 127.0.0.1/localhost signed by it, as PEM files in {@code dir}. */
    public record ServerCert(Path caCert, Path caKey, Path cert, Path key) {}

    private TestTls() {}

    /** Makes a fresh CA ({@code ca.pem}) and a server certificate ({@code cert.pem}, {@code key.pem}) in {@code dir}. */
    public static ServerCert makeServerCert(Path dir) {
        Components.require(Components.Component.OPENSSL);
        Path caKey = dir.resolve("ca-key.pem");
        Path ca = dir.resolve("ca.pem");
        Path key = dir.resolve("key.pem");
        Path csr = dir.resolve("server.csr");
        Path cert = dir.resolve("cert.pem");
        Path ext = dir.resolve("server.ext");
        try {
            Files.writeString(
                    ext,
                    "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                            + "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Duration t = Duration.ofSeconds(60);
        Exec.run(
                        List.of(
                                "openssl",
                                "req",
                                "-x509",
                                "-newkey",
                                "rsa:2048",
                                "-nodes",
                                "-days",
                                "3",
                                "-subj",
                                "/CN=multiarch test CA",
                                "-keyout",
                                caKey.toString(),
                                "-out",
                                ca.toString()),
                        t)
                .orThrow();
        Exec.run(
                        List.of(
                                "openssl",
                                "req",
                                "-newkey",
                                "rsa:2048",
                                "-nodes",
                                "-subj",
                                "/CN=127.0.0.1",
                                "-keyout",
                                key.toString(),
                                "-out",
                                csr.toString()),
                        t)
                .orThrow();
        Exec.run(
                        List.of(
                                "openssl",
                                "x509",
                                "-req",
                                "-in",
                                csr.toString(),
                                "-CA",
                                ca.toString(),
                                "-CAkey",
                                caKey.toString(),
                                "-CAcreateserial",
                                "-days",
                                "3",
                                "-extfile",
                                ext.toString(),
                                "-out",
                                cert.toString()),
                        t)
                .orThrow();
        return new ServerCert(ca, caKey, cert, key);
    }

    /** Makes a self-signed certificate and its PKCS#8 key, e.g. for signing tokens. */
    public static void makeSelfSigned(String commonName, Path cert, Path key) {
        Components.require(Components.Component.OPENSSL);
        Exec.run(
                        List.of(
                                "openssl",
                                "req",
                                "-x509",
                                "-newkey",
                                "rsa:2048",
                                "-nodes",
                                "-days",
                                "3",
                                "-subj",
                                "/CN=" + commonName,
                                "-keyout",
                                key.toString(),
                                "-out",
                                cert.toString()),
                        Duration.ofSeconds(60))
                .orThrow();
    }

    public static X509Certificate readCertificate(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read certificate " + pem, e);
        }
    }

    /** Reads an unencrypted PKCS#8 RSA key ({@code -----BEGIN PRIVATE KEY-----}), as openssl 3 writes it. */
    public static PrivateKey readPkcs8RsaKey(Path pem) {
        try {
            String text = Files.readString(pem);
            if (!text.contains("BEGIN PRIVATE KEY")) {
                throw new IllegalStateException(pem + " is not a PKCS#8 'BEGIN PRIVATE KEY' file");
            }
            String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read key " + pem, e);
        }
    }

    /** An SSLContext that trusts only {@code caPem} (not the system CAs): for test clients of a test registry. */
    public static SSLContext trusting(Path caPem) {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setCertificateEntry("ca", readCertificate(caPem));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build an SSLContext for " + caPem, e);
        }
    }
}
