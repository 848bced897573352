package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One reading of push failures for both builders: registry auth words count, digests full of hex do not. */
class PushErrorsTest {

    @Test
    void registryAuthAnswersAreAuthFailures() {
        // the texts distribution 2.8, dockerd 20.10 and buildah 1.28 print for a refused push
        assertThat(PushErrors.isAuthFailure("unauthorized: authentication required"))
                .isTrue();
        assertThat(PushErrors.isAuthFailure("denied: requested access to the resource is denied"))
                .isTrue();
        assertThat(PushErrors.isAuthFailure("Error: writing blob: initiating layer upload to /v2/b/x/blobs/uploads/ "
                        + "in 127.0.0.1:5000: unauthorized: authentication required"))
                .isTrue();
        assertThat(PushErrors.isAuthFailure("received unexpected HTTP status: 401 Unauthorized"))
                .isTrue();
        assertThat(PushErrors.isAuthFailure("unexpected status code 401")).isTrue();
    }

    @Test
    void otherFailuresAndDigestsAreNot() {
        assertThat(PushErrors.isAuthFailure("Copying blob sha256:4401a9c3e6f0d2b1 done"))
                .isFalse();
        assertThat(PushErrors.isAuthFailure("Writing manifest to image destination 1401"))
                .isFalse();
        assertThat(PushErrors.isAuthFailure("dial tcp 127.0.0.1:5999: connect: connection refused"))
                .isFalse();
        assertThat(PushErrors.isAuthFailure("received unexpected HTTP status: 500 Internal Server Error"))
                .isFalse();
        assertThat(PushErrors.isAuthFailure(null)).isFalse();
    }
}
