package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import org.junit.jupiter.api.Assumptions;

/**
 * Real components the integration tests need: skipped with a reason where they are absent (ci.jenkins.io's
 * container agents have no buildah or registry), a failure where the environment promises them
 * ({@code MULTIARCH_REQUIRE_COMPONENTS=true}, set by this repository's .ci/run).
 */
final class Tools {

    private Tools() {}

    static void require(String executable, String why) {
        if (onPath(executable)) {
            return;
        }
        String reason = executable + " is not on the PATH: " + why;
        if ("true".equalsIgnoreCase(System.getenv("MULTIARCH_REQUIRE_COMPONENTS"))) {
            fail(reason + " (MULTIARCH_REQUIRE_COMPONENTS=true: the test environment must provide it)");
        }
        Assumptions.abort(reason);
    }

    static boolean onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, executable).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
