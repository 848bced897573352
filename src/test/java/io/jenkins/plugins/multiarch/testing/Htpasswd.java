package io.jenkins.plugins.multiarch.testing;

import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * One htpasswd line for distribution's basic auth, which accepts bcrypt only. Made in Java, so that neither
 * apache2-utils nor the registry image has to carry {@code htpasswd}.
 */
final class Htpasswd {

    private Htpasswd() {}

    static String line(String user, String password) {
        if (user.contains(":") || user.contains("\n")) {
            throw new IllegalArgumentException("an htpasswd user has no ':' or newline: " + user);
        }
        return user + ":" + BCrypt.hashpw(password, BCrypt.gensalt(10)) + "\n";
    }
}
