package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecretBuildArgsTest {

    @Test
    void entriesMapNamesToCredentialIdsInOrder() {
        assertThat(SecretBuildArgs.parse(List.of("NPM_TOKEN=npm-token", " PIP_INDEX = pip-index "), Set.of("VERSION")))
                .containsExactly(
                        java.util.Map.entry("NPM_TOKEN", "npm-token"), java.util.Map.entry("PIP_INDEX", "pip-index"));
        assertThat(SecretBuildArgs.parse(null, Set.of())).isEmpty();
    }

    @Test
    void badEntriesAreRefusedByName() {
        assertThatThrownBy(() -> SecretBuildArgs.parse(List.of("ghp_TheSecretItself"), Set.of()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("NAME=credentialsId")
                .hasMessageNotContaining("ghp_TheSecretItself");
        assertThatThrownBy(() -> SecretBuildArgs.parse(List.of("NPM_TOKEN="), Set.of()))
                .hasMessageContaining("NAME=credentialsId");
        assertThatThrownBy(() -> SecretBuildArgs.parse(List.of("=id"), Set.of()))
                .hasMessageContaining("NAME=credentialsId");
        assertThatThrownBy(() -> SecretBuildArgs.parse(List.of("NPM-TOKEN=id"), Set.of()))
                .hasMessageContaining("'NPM-TOKEN' is invalid");
        assertThatThrownBy(() -> SecretBuildArgs.parse(List.of("A=x", "A=y"), Set.of()))
                .hasMessageContaining("A is given twice");
        assertThatThrownBy(() -> SecretBuildArgs.parse(List.of("TOKEN=id"), Set.of("TOKEN")))
                .hasMessageContaining("both in buildArgs and in secretBuildArgs");
    }

    @Test
    void theValuesGoToTheRequestAsSecrets() {
        BuildRequest.Builder b = BuildRequest.builder()
                .context(BuildFixtures.offlineExample())
                .platform("linux/amd64")
                .image("127.0.0.1:5000/onap/app")
                .buildArg("VERSION", "1.0");
        SecretBuildArgs.parse(List.of("NPM_TOKEN=npm-token"), Set.of("VERSION"))
                .keySet()
                .forEach(name -> b.secretBuildArg(name, "s3cret-value"));
        BuildRequest r = b.build();
        assertThat(r.secretBuildArgNames()).containsExactly("NPM_TOKEN");
        assertThat(r.secretValues()).containsExactly("s3cret-value");
        assertThat(r.buildArgs()).containsEntry("VERSION", "1.0");
    }
}
