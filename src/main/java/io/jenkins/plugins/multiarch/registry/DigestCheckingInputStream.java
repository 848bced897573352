package io.jenkins.plugins.multiarch.registry;

import io.jenkins.plugins.multiarch.image.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Passes a blob through while hashing and counting it; at the end a wrong size or digest becomes an
 * {@link IOException}, so an upload fed from it fails instead of committing content that is not what the
 * descriptor claims.
 */
final class DigestCheckingInputStream extends FilterInputStream {

    private final Digest expected;
    private final long expectedSize;
    private final MessageDigest hash;
    private long count;
    private boolean verified;
    private volatile String mismatch;

    DigestCheckingInputStream(InputStream in, Digest expected, long expectedSize) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.hash = expected.newMessageDigest();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            hash.update(b, off, n);
            count += n;
            if (expectedSize >= 0 && count > expectedSize) {
                throw fail("it is longer than the " + expectedSize + " bytes its descriptor says");
            }
        } else if (n < 0 && !verified) {
            verified = true;
            if (expectedSize >= 0 && count != expectedSize) {
                throw fail("it has " + count + " bytes, its descriptor says " + expectedSize);
            }
            String actual = HexFormat.of().formatHex(hash.digest());
            hash.reset();
            if (!actual.equals(expected.hex())) {
                throw fail("it hashes to " + expected.algorithm() + ":" + actual);
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 8192)];
        int read = read(buffer, 0, buffer.length);
        return Math.max(read, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private IOException fail(String why) {
        mismatch = "blob " + expected + " is not what it claims: " + why;
        return new IOException(mismatch);
    }

    /** Why the content did not match, or null. */
    String mismatch() {
        return mismatch;
    }
}
