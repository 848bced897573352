package io.jenkins.plugins.multiarch.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;

/** A registry's answer: status, headers, the URI that answered (after redirects), and the body read or open. */
final class Reply implements AutoCloseable {

    final int status;
    final HttpHeaders headers;
    final URI uri;
    final byte[] body;
    final InputStream stream;
    int attempts = 1;

    Reply(int status, HttpHeaders headers, URI uri, byte[] body, InputStream stream) {
        this.status = status;
        this.headers = headers;
        this.uri = uri;
        this.body = body;
        this.stream = stream;
    }

    boolean ok() {
        return status >= 200 && status < 300;
    }

    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    @Override
    public void close() {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // nothing left to do with a body nobody reads
            }
        }
    }
}
