package io.jenkins.plugins.multiarch.builder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import org.junit.jupiter.api.Test;

/** Docker's .dockerignore rules (moby/patternmatcher), case by case. */
class DockerIgnoreTest {

    @Test
    void plainNamesMatchTheFileAndEverythingUnderADirectory() {
        DockerIgnore ignore = DockerIgnore.parse("node_modules\n.git\nsecret.txt\n");
        assertThat(ignore.isExcluded("node_modules")).isTrue();
        assertThat(ignore.isExcluded("node_modules/a/b.js")).isTrue();
        assertThat(ignore.isExcluded(".git/config")).isTrue();
        assertThat(ignore.isExcluded("secret.txt")).isTrue();
        assertThat(ignore.isExcluded("src/secret.txt"))
                .as("patterns are anchored at the context root")
                .isFalse();
        assertThat(ignore.isExcluded("app.py")).isFalse();
    }

    @Test
    void starAndQuestionMarkDoNotCrossDirectories() {
        DockerIgnore ignore = DockerIgnore.parse("*.log\ntmp?\n*/cache\n");
        assertThat(ignore.isExcluded("build.log")).isTrue();
        assertThat(ignore.isExcluded("logs/build.log")).isFalse();
        assertThat(ignore.isExcluded("tmp1")).isTrue();
        assertThat(ignore.isExcluded("tmp12")).isFalse();
        assertThat(ignore.isExcluded("a/cache")).isTrue();
        assertThat(ignore.isExcluded("a/cache/x")).isTrue();
        assertThat(ignore.isExcluded("a/b/cache")).isFalse();
    }

    @Test
    void doubleStarCrossesAnyNumberOfDirectories() {
        DockerIgnore ignore = DockerIgnore.parse("**/*.pyc\ndocs/**\n**/test\n");
        assertThat(ignore.isExcluded("x.pyc")).isTrue();
        assertThat(ignore.isExcluded("a/b/c/x.pyc")).isTrue();
        assertThat(ignore.isExcluded("x.py")).isFalse();
        assertThat(ignore.isExcluded("docs/a/b.md")).isTrue();
        assertThat(ignore.isExcluded("docs"))
                .as("docs/** matches what is under docs, not docs itself")
                .isFalse();
        assertThat(ignore.isExcluded("test")).isTrue();
        assertThat(ignore.isExcluded("src/pkg/test/x.py")).isTrue();
    }

    @Test
    void exceptionsReincludeAndTheLastMatchingLineWins() {
        DockerIgnore ignore = DockerIgnore.parse("*.md\n!README.md\nREADME*.md\n!README-keep.md\n");
        assertThat(ignore.isExcluded("CHANGES.md")).isTrue();
        assertThat(ignore.isExcluded("README.md"))
                .as("re-excluded by a later line")
                .isTrue();
        assertThat(ignore.isExcluded("README-keep.md")).isFalse();
        assertThat(ignore.hasExceptions()).isTrue();
    }

    @Test
    void exceptionInsideAnExcludedDirectory() {
        DockerIgnore ignore = DockerIgnore.parse("data\n!data/keep.txt\n");
        assertThat(ignore.isExcluded("data/drop.txt")).isTrue();
        assertThat(ignore.isExcluded("data/keep.txt")).isFalse();
    }

    @Test
    void everythingExceptAFewFiles() {
        DockerIgnore ignore = DockerIgnore.parse("*\n!app.py\n!requirements.txt\n");
        assertThat(ignore.isExcluded("app.py")).isFalse();
        assertThat(ignore.isExcluded("requirements.txt")).isFalse();
        assertThat(ignore.isExcluded("Dockerfile")).isTrue();
        assertThat(ignore.isExcluded("venv/lib/x.py")).isTrue();
    }

    @Test
    void commentsBlankLinesLeadingSlashAndDotSegmentsAreCleaned() {
        DockerIgnore ignore = DockerIgnore.parse("# a comment\n\n   \n/build\n./out/../dist\n  spaced.txt  \r\n");
        assertThat(ignore.isExcluded("build/x")).isTrue();
        assertThat(ignore.isExcluded("dist/app")).isTrue();
        assertThat(ignore.isExcluded("out/x")).isFalse();
        assertThat(ignore.isExcluded("spaced.txt")).isTrue();
        assertThat(ignore.isExcluded("# a comment")).isFalse();
    }

    @Test
    void characterClassesAndEscapes() {
        DockerIgnore ignore = DockerIgnore.parse("file[0-9].txt\nlit\\*eral\nnot[^a].c\n");
        assertThat(ignore.isExcluded("file3.txt")).isTrue();
        assertThat(ignore.isExcluded("filex.txt")).isFalse();
        assertThat(ignore.isExcluded("lit*eral")).isTrue();
        assertThat(ignore.isExcluded("litXeral")).isFalse();
        assertThat(ignore.isExcluded("notb.c")).isTrue();
        assertThat(ignore.isExcluded("nota.c")).isFalse();
    }

    @Test
    void regexMetacharactersAreLiteral() {
        DockerIgnore ignore = DockerIgnore.parse("a+b.(c)\n");
        assertThat(ignore.isExcluded("a+b.(c)")).isTrue();
        assertThat(ignore.isExcluded("aab.(c)")).isFalse();
        assertThat(ignore.isExcluded("a+bx(c)")).isFalse();
    }

    @Test
    void malformedPatternsAndBareExceptionsAreRefusedWithTheLine() {
        assertThatThrownBy(() -> DockerIgnore.parse("[abc\n"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("[abc");
        assertThatThrownBy(() -> DockerIgnore.parse("!\n"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("'!'");
    }

    @Test
    void forcedExceptionsKeepDockerfileAndIgnoreFile() {
        DockerIgnore ignore =
                DockerIgnore.parse("*\n").withExceptions(java.util.List.of("Dockerfile", ".dockerignore"));
        assertThat(ignore.isExcluded("Dockerfile")).isFalse();
        assertThat(ignore.isExcluded(".dockerignore")).isFalse();
        assertThat(ignore.isExcluded("other")).isTrue();
    }

    @Test
    void cleanIsGoFilepathClean() {
        assertThat(DockerIgnore.clean("a//b/./c/..")).isEqualTo("a/b");
        assertThat(DockerIgnore.clean("../x")).isEqualTo("../x");
        assertThat(DockerIgnore.clean("/../x")).isEqualTo("/x");
        assertThat(DockerIgnore.clean("")).isEqualTo(".");
        assertThat(DockerIgnore.clean("./")).isEqualTo(".");
    }
}
