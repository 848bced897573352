package io.jenkins.plugins.multiarch;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of this build of multiarch, from {@code multiarch-version.properties}, a resource that Maven's
 * resource filtering writes at build time. A resource rather than the jar manifest: on a Jenkins agent the
 * classes are loaded by remoting's class loader, which defines no package version
 * ({@code Package.getImplementationVersion()} is null there), while resources are served from the controller.
 */
public final class MultiarchVersion {

    /** What {@link #get()} says when the resource is missing or was not filtered (an IDE build). */
    public static final String UNKNOWN = "dev";

    static final String RESOURCE = "multiarch-version.properties";

    private static volatile String cached;

    private MultiarchVersion() {}

    /** E.g. {@code 0.1.0-SNAPSHOT} or {@code 123.v4567abcd}; {@link #UNKNOWN} when the build did not record one. */
    public static String get() {
        String v = cached;
        if (v == null) {
            v = read(MultiarchVersion.class.getResourceAsStream(RESOURCE));
            cached = v;
        }
        return v;
    }

    /** The version in a properties stream; {@link #UNKNOWN} for a missing stream, key or unfiltered value. */
    static String read(InputStream in) {
        if (in == null) {
            return UNKNOWN;
        }
        Properties p = new Properties();
        try (in) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return UNKNOWN;
        }
        String v = p.getProperty("version", "").strip();
        // "${project.version}" left as is means the file was copied without filtering
        if (v.isEmpty() || v.contains("${") || v.chars().anyMatch(Character::isWhitespace)) {
            return UNKNOWN;
        }
        return v;
    }
}
