package io.jenkins.plugins.multiarch.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

    private static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String DIGEST = "sha256:" + HEX;

    /** input | registry | repository | tag | digest | toString */
    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("busybox", "registry-1.docker.io", "library/busybox", null, null, "busybox"),
                Arguments.of("busybox:1.36", "registry-1.docker.io", "library/busybox", "1.36", null, "busybox:1.36"),
                Arguments.of("library/busybox", "registry-1.docker.io", "library/busybox", null, null, "busybox"),
                Arguments.of("docker.io/busybox", "registry-1.docker.io", "library/busybox", null, null, "busybox"),
                Arguments.of(
                        "docker.io/library/busybox:latest",
                        "registry-1.docker.io",
                        "library/busybox",
                        "latest",
                        null,
                        "busybox:latest"),
                Arguments.of(
                        "index.docker.io/onap/py-app",
                        "registry-1.docker.io",
                        "onap/py-app",
                        null,
                        null,
                        "onap/py-app"),
                Arguments.of(
                        "arm64v8/busybox", "registry-1.docker.io", "arm64v8/busybox", null, null, "arm64v8/busybox"),
                Arguments.of(
                        "127.0.0.1:5000/onap/py-app:1.0",
                        "127.0.0.1:5000",
                        "onap/py-app",
                        "1.0",
                        null,
                        "127.0.0.1:5000/onap/py-app:1.0"),
                Arguments.of("localhost/app", "localhost", "app", null, null, "localhost/app"),
                Arguments.of("localhost:5000/app:v2", "localhost:5000", "app", "v2", null, "localhost:5000/app:v2"),
                Arguments.of("[::1]:5000/team/app:1", "[::1]:5000", "team/app", "1", null, "[::1]:5000/team/app:1"),
                Arguments.of("[2001:db8::1]/app", "[2001:db8::1]", "app", null, null, "[2001:db8::1]/app"),
                Arguments.of(
                        "registry.example.com/a/b/c/d:x",
                        "registry.example.com",
                        "a/b/c/d",
                        "x",
                        null,
                        "registry.example.com/a/b/c/d:x"),
                Arguments.of(
                        "Registry.Example.com:443/app",
                        "Registry.Example.com:443",
                        "app",
                        null,
                        null,
                        "Registry.Example.com:443/app"),
                Arguments.of(
                        "my-registry.io/a__b/c.d/e-f/g---h",
                        "my-registry.io",
                        "a__b/c.d/e-f/g---h",
                        null,
                        null,
                        "my-registry.io/a__b/c.d/e-f/g---h"),
                Arguments.of("repo@" + DIGEST, "registry-1.docker.io", "library/repo", null, DIGEST, "repo@" + DIGEST),
                Arguments.of(
                        "repo:tag@" + DIGEST,
                        "registry-1.docker.io",
                        "library/repo",
                        "tag",
                        DIGEST,
                        "repo:tag@" + DIGEST),
                Arguments.of(
                        "localhost:5000/a/b:t@" + DIGEST,
                        "localhost:5000",
                        "a/b",
                        "t",
                        DIGEST,
                        "localhost:5000/a/b:t@" + DIGEST),
                Arguments.of(
                        "localhost:5000", "registry-1.docker.io", "library/localhost", "5000", null, "localhost:5000"),
                Arguments.of(
                        "a:_Tag.with-Chars_",
                        "registry-1.docker.io",
                        "library/a",
                        "_Tag.with-Chars_",
                        null,
                        "a:_Tag.with-Chars_"),
                Arguments.of("host:1/x", "host:1", "x", null, null, "host:1/x"),
                Arguments.of("Foo/bar", "Foo", "bar", null, null, "Foo/bar"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("valid")
    void parsesValidReferences(
            String input, String registry, String repository, String tag, String digest, String familiar) {
        ImageReference ref = ImageReference.parse(input);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag().orElse(null)).isEqualTo(tag);
        assertThat(ref.digest().map(Digest::toString).orElse(null)).isEqualTo(digest);
        assertThat(ref.toString()).isEqualTo(familiar);
        // the familiar form parses back to an equal reference
        ImageReference again = ImageReference.parse(ref.toString());
        assertThat(again).isEqualTo(ref).hasSameHashCodeAs(ref);
        assertThat(again.toString()).isEqualTo(familiar);
    }

    /** input | fragment the message must contain (names the rule). */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "''| it is empty",
                "Busybox| must be lowercase",
                "localhost:5000/Team/app| must be lowercase",
                "docker.io/Library/busybox| must be lowercase",
                "repo:| the tag after ':' is empty",
                "repo:.hidden| tag '.hidden' may contain only",
                "repo:-x| tag '-x' may contain only",
                "repo:a+b| tag 'a+b' may contain only",
                "repo@sha256:abc| digest after '@' is not valid",
                "repo@md5:" + "0123456789abcdef0123456789abcdef| unsupported algorithm 'md5'",
                "repo@sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855| lowercase hex",
                "repo@" + "@sha256:x| more than one '@'",
                "a//b| empty component",
                "/app| empty component",
                "app/| empty component",
                "localhost:5000/| repository path is empty",
                "registry.io/-app| path component '-app'",
                "registry.io/app-| path component 'app-'",
                "registry.io/a..b| path component 'a..b'",
                "registry.io/a___b| path component 'a___b'",
                "registry.io/a_.b| path component 'a_.b'",
                "registry.io/a%b| path component 'a%b'",
                "-registry.io/app| registry host '-registry.io' is not a valid host name",
                "registry..io/app| registry host 'registry..io' is not a valid host name",
                "reg_istry.io/app| registry host 'reg_istry.io' is not a valid host name",
                "localhost:port/app| registry port 'port' must be a number",
                "localhost:99999/app| registry port '99999' must be a number",
                "localhost:/app| registry port '' must be a number",
                ":5000/app| registry host before ':5000' is empty",
                "[::1/app| has no closing ']'",
                "[::g]:5000/app| may contain only hex digits",
                "[::1]x/app| must be followed by :port",
                "repo tag| whitespace",
                "' busybox'| whitespace",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855| image ID, not a repository name",
            })
    void rejectsInvalidReferencesNamingTheRule(String input, String rule) {
        assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("invalid image reference '" + input + "': ")
                .hasMessageContaining(rule)
                .hasMessageContaining("e.g. ");
    }

    /** Cases from distribution/reference's reference_test.go, as ParseNormalizedNamed (docker pull) treats them. */
    static Stream<Arguments> distributionReferenceCases() {
        String f64 = "f".repeat(64);
        return Stream.of(
                Arguments.of("test_com", "registry-1.docker.io", "library/test_com", null, null),
                Arguments.of("test.com:tag", "registry-1.docker.io", "library/test.com", "tag", null),
                Arguments.of("test.com:5000", "registry-1.docker.io", "library/test.com", "5000", null),
                Arguments.of("test.com/repo:tag", "test.com", "repo", "tag", null),
                Arguments.of("test:5000/repo", "test:5000", "repo", null, null),
                Arguments.of("test:5000/repo@sha256:" + f64, "test:5000", "repo", null, "sha256:" + f64),
                Arguments.of("test:5000/repo:tag@sha256:" + f64, "test:5000", "repo", "tag", "sha256:" + f64),
                Arguments.of("lowercase:Uppercase", "registry-1.docker.io", "library/lowercase", "Uppercase", null),
                Arguments.of(
                        "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
                        "sub-dom1.foo.com",
                        "bar/baz/quux",
                        "some-long-tag",
                        null),
                Arguments.of(
                        "b.gcr.io/test.example.com/my-app:test.example.com",
                        "b.gcr.io",
                        "test.example.com/my-app",
                        "test.example.com",
                        null),
                Arguments.of("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", null),
                Arguments.of(
                        "xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + "f".repeat(128),
                        "xn--7o8h.com",
                        "myimage",
                        "xn--7o8h.com",
                        "sha512:" + "f".repeat(128)),
                Arguments.of("foo_bar.com:8080", "registry-1.docker.io", "library/foo_bar.com", "8080", null),
                Arguments.of("foo/foo_bar.com:8080", "registry-1.docker.io", "foo/foo_bar.com", "8080", null),
                Arguments.of("192.168.1.1", "registry-1.docker.io", "library/192.168.1.1", null, null),
                Arguments.of("192.168.1.1/repo", "192.168.1.1", "repo", null, null),
                Arguments.of("192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", null),
                Arguments.of("[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", null),
                Arguments.of(
                        "[2001:db8::1]:5000/repo:tag@sha256:" + f64,
                        "[2001:db8::1]:5000",
                        "repo",
                        "tag",
                        "sha256:" + f64),
                Arguments.of("[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", null, null),
                Arguments.of("test-com:8080/foo", "test-com:8080", "foo", null, null),
                Arguments.of("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", null, null));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("distributionReferenceCases")
    void agreesWithDistributionReference(String input, String registry, String repository, String tag, String digest) {
        ImageReference ref = ImageReference.parse(input);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag().orElse(null)).isEqualTo(tag);
        assertThat(ref.digest().map(Digest::toString).orElse(null)).isEqualTo(digest);
        assertThat(ref.toString()).isEqualTo(input);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                ":justtag| repository name is empty",
                "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff| repository name is empty",
                "repo@sha256:ffffffffffffffffffffffffffffffffff| has 64 hex characters, this one has 34",
                "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff| unsupported algorithm",
                "Uppercase:tag| must be lowercase",
                "test:5000/Uppercase/lowercase:tag| must be lowercase",
                "aa/asdf$$^/aa| path component 'asdf$$^'",
                "[2001:db8::1]| IPv6 registry address must be followed by /repository",
                "[2001:db8::1]:5000| IPv6 registry address must be followed by /repository",
                "[2001:db8::1]:tag| IPv6 registry address must be followed by /repository",
                "[fe80::1%eth0]:5000/repo| may contain only hex digits",
                "[fe80::1%@invalidzone]:5000/repo| digest after '@' is not valid",
            })
    void refusesWhatDistributionReferenceRefuses(String input, String rule) {
        assertThatThrownBy(() -> ImageReference.parse(input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("invalid image reference '" + input + "': ")
                .hasMessageContaining(rule);
    }

    @Test
    void nameTooLongAsInDistributionReference() {
        assertThatThrownBy(() -> ImageReference.parse("a/".repeat(128) + "a:tag"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("more than the limit of 255");
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> ImageReference.parse(null))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("it is empty");
    }

    @Test
    void uppercaseMessageSuggestsTheLowercaseName() {
        assertThatThrownBy(() -> ImageReference.parse("localhost:5000/MyApp:1.0"))
                .hasMessage("invalid image reference 'localhost:5000/MyApp:1.0': the repository name 'MyApp' must be"
                        + " lowercase, e.g. 'myapp'");
    }

    @Test
    void tagOf128CharactersIsTheLimit() {
        String tag128 = "a" + "b".repeat(127);
        assertThat(ImageReference.parse("repo:" + tag128).tag()).contains(tag128);
        assertThatThrownBy(() -> ImageReference.parse("repo:" + tag128 + "c"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("the tag is 129 characters, more than the limit of 128");
    }

    @Test
    void nameOf255CharactersIsTheLimit() {
        // "localhost:5000/" is 15 characters; the limit counts host + '/' + path
        String host = "localhost:5000";
        String path240 = "a".repeat(100) + "/" + "b".repeat(139);
        assertThat(host.length() + 1 + path240.length()).isEqualTo(255);
        assertThat(ImageReference.parse(host + "/" + path240).repository()).isEqualTo(path240);
        assertThatThrownBy(() -> ImageReference.parse(host + "/" + path240 + "b"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("is 256 characters, more than the limit of 255");
        // on Docker Hub the normalised name docker.io/library/<name> is what counts, as in distribution/reference
        assertThatThrownBy(() -> ImageReference.parse("x".repeat(240)))
                .hasMessageContaining("more than the limit of 255");
    }

    @Test
    void dockerHubNormalisation() {
        ImageReference a = ImageReference.parse("busybox");
        assertThat(a.isDockerHub()).isTrue();
        assertThat(a)
                .isEqualTo(ImageReference.parse("docker.io/library/busybox"))
                .isEqualTo(ImageReference.parse("index.docker.io/library/busybox"))
                .isEqualTo(ImageReference.parse("library/busybox"))
                .isEqualTo(ImageReference.parse("registry-1.docker.io/busybox"));
        assertThat(a.canonicalName()).isEqualTo("docker.io/library/busybox");
        assertThat(a.repositoryString()).isEqualTo("busybox");
        assertThat(ImageReference.parse("onap/py-app").repository()).isEqualTo("onap/py-app");
        assertThat(ImageReference.parse("docker.io/library/foo/bar").toString()).isEqualTo("library/foo/bar");
        assertThat(ImageReference.parse("localhost:5000/busybox").isDockerHub()).isFalse();
        assertThat(ImageReference.parse("localhost:5000/busybox").repository()).isEqualTo("busybox");
    }

    @Test
    void equalityIsOnNormalisedParts() {
        assertThat(ImageReference.parse("repo:1")).isNotEqualTo(ImageReference.parse("repo:2"));
        assertThat(ImageReference.parse("repo:1")).isNotEqualTo(ImageReference.parse("repo"));
        assertThat(ImageReference.parse("localhost:5000/repo"))
                .isNotEqualTo(ImageReference.parse("localhost:5001/repo"));
        assertThat(ImageReference.parse("Registry.Example.com/repo"))
                .isEqualTo(ImageReference.parse("registry.example.com/repo"))
                .hasSameHashCodeAs(ImageReference.parse("registry.example.com/repo"));
        assertThat(ImageReference.parse("repo@" + DIGEST)).isNotEqualTo(ImageReference.parse("repo:x@" + DIGEST));
    }

    @Test
    void referenceForApiPrefersDigestThenTagThenLatest() {
        assertThat(ImageReference.parse("r").referenceForApi()).isEqualTo("latest");
        assertThat(ImageReference.parse("r:1.0").referenceForApi()).isEqualTo("1.0");
        assertThat(ImageReference.parse("r:1.0@" + DIGEST).referenceForApi()).isEqualTo(DIGEST);
        assertThat(ImageReference.parse("r@" + DIGEST).referenceForApi()).isEqualTo(DIGEST);
    }

    @Test
    void withersKeepTheRestAndValidate() {
        ImageReference base = ImageReference.parse("127.0.0.1:5000/onap/py-app:1.0");
        Digest d = Digest.parse(DIGEST);
        assertThat(base.withTag("2.0").toString()).isEqualTo("127.0.0.1:5000/onap/py-app:2.0");
        assertThat(base.withDigest(d).toString()).isEqualTo("127.0.0.1:5000/onap/py-app:1.0@" + DIGEST);
        assertThat(base.withoutTagOrDigest().withDigest(d).toString())
                .isEqualTo("127.0.0.1:5000/onap/py-app@" + DIGEST);
        assertThat(base.withoutTagOrDigest().toString()).isEqualTo("127.0.0.1:5000/onap/py-app");
        assertThat(base.withRepository("onap/py-app-arm64v8").toString())
                .isEqualTo("127.0.0.1:5000/onap/py-app-arm64v8");
        assertThat(ImageReference.parse("busybox")
                        .withRepository("arm64v8/busybox")
                        .repository())
                .isEqualTo("arm64v8/busybox");
        assertThat(ImageReference.parse("busybox:1").withRepository("other").repository())
                .isEqualTo("library/other");
        assertThat(base.withTag(null).tag()).isEmpty();
        assertThatThrownBy(() -> base.withTag("bad tag"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("tag 'bad tag' may contain only");
        assertThatThrownBy(() -> base.withTag("x".repeat(129))).hasMessageContaining("limit of 128");
        assertThatThrownBy(() -> base.withRepository("Upper")).hasMessageContaining("must be lowercase");
        // the original is unchanged
        assertThat(base.toString()).isEqualTo("127.0.0.1:5000/onap/py-app:1.0");
    }

    @Test
    void ofBuildsFromPartsWithTheSameRules() {
        Digest d = Digest.parse(DIGEST);
        ImageReference r = ImageReference.of("localhost:5000", "team/app", "1.0", d);
        assertThat(r).isEqualTo(ImageReference.parse("localhost:5000/team/app:1.0@" + DIGEST));
        assertThat(ImageReference.of(null, "busybox", null, null)).isEqualTo(ImageReference.parse("busybox"));
        assertThat(ImageReference.of("docker.io", "busybox", "1", null).toString())
                .isEqualTo("busybox:1");
        assertThatThrownBy(() -> ImageReference.of("localhost:5000", "Team/app", null, null))
                .hasMessageContaining("must be lowercase");
        assertThatThrownBy(() -> ImageReference.of("bad host", "app", null, null))
                .hasMessageContaining("not a valid host name");
        assertThatThrownBy(() -> ImageReference.of("localhost", "", null, null))
                .hasMessageContaining("repository name is empty");
        assertThatThrownBy(() -> ImageReference.of("localhost", "app", "", null))
                .hasMessageContaining("tag after ':' is empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:5000/a", "registry-1.docker.io/library/x", "busybox"})
    void sameRegistry(String other) {
        ImageReference ref = ImageReference.parse(other);
        assertThat(ref.sameRegistry(ImageReference.parse(other + "-other"))).isTrue();
        assertThat(ref.sameRegistry(ImageReference.parse("example.com/x"))).isFalse();
    }

    @Test
    void hasDigest() {
        assertThat(ImageReference.parse("r@" + DIGEST).hasDigest()).isTrue();
        assertThat(ImageReference.parse("r:1").hasDigest()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:5000, 127.0.0.1:5000",
        "Registry.Example, registry.example",
        "localhost, localhost",
        "'[::1]:5000', '[::1]:5000'",
        "docker.io, registry-1.docker.io",
        " reg.example:443 , reg.example:443"
    })
    void aRegistryHostIsReadAsImageReferencesNameIt(String given, String registry) {
        assertThat(ImageReference.parseRegistryHost(given)).isEqualTo(registry);
        assertThat(ImageReference.parse(registry + "/a/b").registry().toLowerCase(java.util.Locale.ROOT))
                .isEqualTo(registry);
    }

    @Test
    void aRegistryHostWithASchemePathUserOrNoDomainIsRefusedWithTheFix() {
        assertThatThrownBy(() -> ImageReference.parseRegistryHost("http://x/"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("registry 'http://x/' has a scheme: give host[:port]");
        assertThatThrownBy(() -> ImageReference.parseRegistryHost("reg.example/team"))
                .hasMessageStartingWith("registry 'reg.example/team' has a path or user info");
        assertThatThrownBy(() -> ImageReference.parseRegistryHost("user@reg.example"))
                .hasMessageStartingWith("registry 'user@reg.example' has a path or user info");
        assertThatThrownBy(() -> ImageReference.parseRegistryHost("myregistry"))
                .hasMessageContaining("reads it as a repository on Docker Hub");
        assertThatThrownBy(() -> ImageReference.parseRegistryHost("reg.example:port"))
                .hasMessageStartingWith("registry 'reg.example:port' is invalid: ");
        assertThatThrownBy(() -> ImageReference.parseRegistryHost(" ")).hasMessageStartingWith("a registry is empty");
    }

    @Test
    void aRepositoryOptionRefusesATagOrDigestNamingTheOption() {
        assertThat(ImageReference.parseRepository("--image", "reg.example/team/app")
                        .toString())
                .isEqualTo("reg.example/team/app");
        assertThatThrownBy(() -> ImageReference.parseRepository("--image", "reg.example/team/app:foo"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("--image 'reg.example/team/app:foo' has a tag: give the repository alone "
                        + "(reg.example/team/app) and each tag with --tag");
        assertThatThrownBy(() -> ImageReference.parseRepository("--image", "reg.example/app@sha256:" + "a".repeat(64)))
                .hasMessageContaining("has a digest");
    }
}
