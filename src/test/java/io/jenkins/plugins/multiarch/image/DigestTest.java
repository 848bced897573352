package io.jenkins.plugins.multiarch.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DigestTest {

    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String EMPTY_SHA512 = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";
    // sha256("hello\n") as `printf 'hello\n' | sha256sum` prints it
    private static final String HELLO_SHA256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    @Test
    void knownDigests() {
        assertThat(Digest.sha256(new byte[0]).toString()).isEqualTo("sha256:" + EMPTY_SHA256);
        assertThat(Digest.compute("sha512", new byte[0]).toString()).isEqualTo("sha512:" + EMPTY_SHA512);
        assertThat(Digest.sha256("hello\n".getBytes(StandardCharsets.UTF_8)).hex())
                .isEqualTo(HELLO_SHA256);
        assertThat(Digest.compute("sha256", "hello\n".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Digest.parse("sha256:" + HELLO_SHA256));
    }

    @Test
    void parseAndParts() {
        Digest d = Digest.parse("sha256:" + EMPTY_SHA256);
        assertThat(d.algorithm()).isEqualTo("sha256");
        assertThat(d.hex()).isEqualTo(EMPTY_SHA256);
        assertThat(d.shortHex()).isEqualTo("e3b0c44298fc");
        assertThat(Digest.parse(d.toString())).isEqualTo(d).hasSameHashCodeAs(d);
        assertThat(Digest.parse("sha512:" + EMPTY_SHA512).algorithm()).isEqualTo("sha512");
    }

    @Test
    void matchesExactBytesOnly() {
        Digest empty = Digest.sha256(new byte[0]);
        assertThat(empty.matches(new byte[0])).isTrue();
        assertThat(empty.matches(new byte[] {0})).isFalse();
        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(json);
        assertThat(d.matches(json)).isTrue();
        assertThat(d.matches("{\"a\": 1}".getBytes(StandardCharsets.UTF_8)))
                .as("whitespace changes the digest")
                .isFalse();
        Digest d512 = Digest.compute("sha512", json);
        assertThat(d512.matches(json)).isTrue();
        assertThat(d512.matches(new byte[0])).isFalse();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''| it is empty",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855| algorithm:hex",
                "sha256:abc| has 64 hex characters, this one has 3",
                "sha256:| has 64 hex characters, this one has 0",
                "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855| has 128 hex characters",
                "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855| lowercase hex",
                "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855| found 'g' at position 0",
                "md5:d41d8cd98f00b204e9800998ecf8427e| unsupported algorithm 'md5'",
                "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855| algorithm names are lowercase",
                "sha384:" + "00| only sha256 and sha512",
            })
    void rejectsInvalid(String input, String rule) {
        assertThatThrownBy(() -> Digest.parse(input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("invalid digest '" + input + "'")
                .hasMessageContaining(rule);
    }

    @Test
    void computeRejectsUnknownAlgorithm() {
        assertThatThrownBy(() -> Digest.compute("md5", new byte[0]))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("unsupported algorithm 'md5'");
        assertThatThrownBy(() -> Digest.parse(null)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void ordering() {
        Digest a = Digest.parse("sha256:" + "0".repeat(64));
        Digest b = Digest.parse("sha256:" + "1".repeat(64));
        assertThat(a).isLessThan(b);
    }
}
