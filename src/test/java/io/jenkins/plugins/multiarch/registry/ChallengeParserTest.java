package io.jenkins.plugins.multiarch.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChallengeParserTest {

    @Test
    void dockerHubBearerChallenge() {
        List<AuthChallenge> c = ChallengeParser.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\"");
        assertThat(c)
                .containsExactly(new AuthChallenge(
                        "bearer",
                        Map.of(
                                "realm",
                                "https://auth.docker.io/token",
                                "service",
                                "registry.docker.io",
                                "scope",
                                "repository:library/busybox:pull")));
    }

    @Test
    void nexusUppercaseBasic() {
        List<AuthChallenge> c = ChallengeParser.parse("BASIC realm=\"Sonatype Nexus Repository Manager\"");
        assertThat(c).hasSize(1);
        assertThat(c.get(0).scheme()).isEqualTo("basic");
        assertThat(c.get(0).param("realm")).hasValue("Sonatype Nexus Repository Manager");
    }

    @Test
    void reversedParameterOrderSpacesAndTokenValues() {
        List<AuthChallenge> c =
                ChallengeParser.parse("bEaReR   service = registry.example ,  REALM=\"https://r.example/t\"");
        assertThat(c).hasSize(1);
        assertThat(c.get(0).scheme()).isEqualTo("bearer");
        assertThat(c.get(0).params())
                .containsEntry("realm", "https://r.example/t")
                .containsEntry("service", "registry.example");
    }

    @Test
    void escapedQuotesAndBackslashesInQuotedStrings() {
        List<AuthChallenge> c = ChallengeParser.parse("Basic realm=\"say \\\"hi\\\" \\\\ there, friend\"");
        assertThat(c.get(0).param("realm")).hasValue("say \"hi\" \\ there, friend");
    }

    @Test
    void missingScopeGivesNoScopes() {
        AuthChallenge c = ChallengeParser.parse("Bearer realm=\"https://r/t\",service=\"s\"")
                .get(0);
        assertThat(c.param("scope")).isEmpty();
        assertThat(c.scopes()).isEmpty();
    }

    @Test
    void severalScopesInOneParameter() {
        AuthChallenge c = ChallengeParser.parse(
                        "Bearer realm=\"https://r/t\",scope=\"repository:a:pull repository:b:pull,push\"")
                .get(0);
        assertThat(c.scopes()).containsExactly("repository:a:pull", "repository:b:pull,push");
    }

    @Test
    void severalChallengesInOneHeaderPreferBearer() {
        List<AuthChallenge> c = ChallengeParser.parse(
                "Basic realm=\"basic realm\", Bearer realm=\"https://r/t\", service=\"svc\", Negotiate abc123==");
        assertThat(c).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer", "negotiate");
        assertThat(c.get(1).params()).containsOnlyKeys("realm", "service");
        assertThat(c.get(2).param("token68")).hasValue("abc123==");
        assertThat(AuthChallenge.preferred(c))
                .get()
                .extracting(AuthChallenge::scheme)
                .isEqualTo("bearer");
    }

    @Test
    void challengesAcrossSeveralHeaderLines() {
        List<AuthChallenge> c = ChallengeParser.parse(List.of("Negotiate", "Basic realm=\"x\""));
        assertThat(c).extracting(AuthChallenge::scheme).containsExactly("negotiate", "basic");
        assertThat(AuthChallenge.preferred(c))
                .get()
                .extracting(AuthChallenge::scheme)
                .isEqualTo("basic");
    }

    @Test
    void schemeWithoutParametersThenAnother() {
        List<AuthChallenge> c = ChallengeParser.parse("Newauth, Basic realm=x");
        assertThat(c).extracting(AuthChallenge::scheme).containsExactly("newauth", "basic");
        assertThat(c.get(1).param("realm")).hasValue("x");
    }

    @Test
    void unsupportedOnlyHasNoPreferred() {
        assertThat(AuthChallenge.preferred(ChallengeParser.parse("Digest realm=\"x\", nonce=\"y\"")))
                .isEmpty();
        assertThat(ChallengeParser.parse("")).isEmpty();
        assertThat(ChallengeParser.parse((String) null)).isEmpty();
    }

    @Test
    void malformedPartsDoNotStopTheRest() {
        List<AuthChallenge> c = ChallengeParser.parse("Bearer realm=\"unterminated");
        assertThat(c.get(0).param("realm")).hasValue("unterminated");
        List<AuthChallenge> d = ChallengeParser.parse("@@ Basic realm=\"ok\"");
        assertThat(d).extracting(AuthChallenge::scheme).contains("basic");
    }
}
