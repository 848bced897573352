package io.jenkins.plugins.multiarch;

import java.util.List;

/** The registry refused, failed or could not be reached (HTTP errors, auth, TLS, network, timeouts). Exit code 4. */
public class RegistryException extends MultiarchException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final List<String> errorCodes;

    public RegistryException(String message) {
        this(message, -1, null);
    }

    public RegistryException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    public RegistryException(String message, int statusCode, Throwable cause) {
        this(message, statusCode, List.of(), cause);
    }

    public RegistryException(String message, int statusCode, List<String> errorCodes, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
        this.errorCodes = List.copyOf(errorCodes);
    }

    /** The distribution error codes of the registry's answer (e.g. MANIFEST_INVALID), empty when none. */
    public List<String> errorCodes() {
        return errorCodes;
    }

    /** The HTTP status that caused this, or -1 when no response was received. */
    public int statusCode() {
        return statusCode;
    }

    @Override
    public int exitCode() {
        return 4;
    }
}
