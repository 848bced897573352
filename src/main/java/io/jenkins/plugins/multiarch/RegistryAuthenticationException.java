package io.jenkins.plugins.multiarch;

/** The registry (or its token service) refused our credentials, or we refused to send them somewhere unsafe. */
public class RegistryAuthenticationException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryAuthenticationException(String message, int statusCode) {
        super(message, statusCode, null);
    }

    public RegistryAuthenticationException(String message) {
        super(message, -1, null);
    }
}
