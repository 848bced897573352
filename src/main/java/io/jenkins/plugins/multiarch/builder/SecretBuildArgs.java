package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.InvalidInputException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Build args whose values are secrets held elsewhere (a Jenkins credential): {@code NAME=ID} entries, where the
 * id names where the value comes from, never the value itself. Checked before any value is looked up, so an
 * error can name the entry without showing a secret.
 */
public final class SecretBuildArgs {

    /** The same rule as for every build arg (BuildRequest). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private SecretBuildArgs() {}

    /**
     * {@code NAME=ID} entries to an ordered map NAME -> ID. Each name is a valid build-arg name, given once, and
     * not among {@code plainNames} (a value given twice, once in clear, would defeat the secret).
     */
    public static Map<String, String> parse(List<String> entries, Collection<String> plainNames) {
        Map<String, String> out = new LinkedHashMap<>();
        if (entries == null) {
            return out;
        }
        for (String entry : entries) {
            String e = entry == null ? "" : entry.strip();
            int eq = e.indexOf('=');
            String name = eq < 0 ? e : e.substring(0, eq).strip();
            String id = eq < 0 ? "" : e.substring(eq + 1).strip();
            if (eq <= 0 || id.isEmpty()) {
                // the entry is not echoed: someone may have written the secret itself here
                String which = eq < 0 ? "(no '=')" : eq == 0 ? "(empty name)" : "for " + name + " (empty id)";
                throw new InvalidInputException("secretBuildArgs entry " + which + " must be NAME=credentialsId, e.g. "
                        + "NPM_TOKEN=npm-token (the id of a secret text credential, not the secret)");
            }
            if (!NAME.matcher(name).matches()) {
                throw new InvalidInputException(
                        "secret build arg name '" + name + "' is invalid: use letters, digits and '_'");
            }
            if (out.containsKey(name)) {
                throw new InvalidInputException("secret build arg " + name + " is given twice: give it once");
            }
            if (plainNames != null && plainNames.contains(name)) {
                throw new InvalidInputException("build arg " + name + " is given both in buildArgs and in "
                        + "secretBuildArgs: give it in secretBuildArgs only");
            }
            out.put(name, id);
        }
        return out;
    }
}
