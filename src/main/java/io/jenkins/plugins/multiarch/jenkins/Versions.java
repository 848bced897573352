package io.jenkins.plugins.multiarch.jenkins;

import io.jenkins.plugins.multiarch.MultiarchVersion;

/**
 * The User-Agent the plugin's registry traffic carries (lets registry admins tell our requests apart). The version
 * comes from the engine's build-time resource, which agents read too (remoting's class loader defines no
 * {@code Implementation-Version}, so the jar manifest said "dev" there).
 */
final class Versions {

    private Versions() {}

    static String userAgent() {
        return "multiarch-images-jenkins/" + MultiarchVersion.get();
    }
}
