package io.jenkins.plugins.multiarch.jenkins;

/** The User-Agent the plugin's registry traffic carries (lets registry admins tell our requests apart). */
final class Versions {

    private Versions() {}

    static String userAgent() {
        Package p = Versions.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return "multiarch-images-jenkins/" + (v == null ? "dev" : v);
    }
}
