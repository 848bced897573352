package io.jenkins.plugins.multiarch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Copies of failures that can cross a class-filtered channel (a Jenkins agent's, back to the controller): the
 * message only, never the cause. A cause from a third-party library carries objects of that library (Jackson's
 * {@code JsonParseException} holds a {@code JsonLocation}); the controller's class filter rejects those, and the
 * user would see a class-filter error instead of the failure. The engine's own exceptions keep their class, and
 * so their exit code, status code, error codes and log tail; anything else becomes an {@link IOException} whose
 * message names the original class and its causes, or an {@link InterruptedException} for an abort.
 */
public final class PortableErrors {

    private PortableErrors() {}

    /**
     * The cause-free copy of {@code failure} (see {@link #copy}), masked with {@code mask}, for a callable to end
     * with: {@code throw PortableErrors.forChannel(e, log::mask);}. Unchecked copies and interrupts are thrown from
     * here; an {@link IOException} is returned for the caller to throw.
     *
     * @throws InterruptedException for an interrupt (a Jenkins abort)
     */
    public static IOException forChannel(Throwable failure, UnaryOperator<String> mask) throws InterruptedException {
        Exception copy = copy(failure, mask);
        if (copy instanceof RuntimeException r) {
            throw r;
        }
        if (copy instanceof InterruptedException i) {
            throw i;
        }
        return (IOException) copy;
    }

    /**
     * A copy of {@code failure} without cause or suppressed exceptions, its text passed through {@code mask}: a
     * {@link MultiarchException} of the same class; an {@link InterruptedException}; else an {@link IOException}.
     * The stack trace is kept (plain {@code StackTraceElement}s).
     */
    public static Exception copy(Throwable failure, UnaryOperator<String> mask) {
        Exception copy;
        if (failure instanceof MultiarchException m) {
            copy = copyOfFamily(m, mask);
        } else if (failure instanceof InterruptedException) {
            copy = new InterruptedException(mask.apply(String.valueOf(failure.getMessage())));
        } else {
            copy = new IOException(mask.apply(describeWithCauses(failure)));
        }
        copy.setStackTrace(failure.getStackTrace());
        return copy;
    }

    private static MultiarchException copyOfFamily(MultiarchException e, UnaryOperator<String> mask) {
        String message = mask.apply(String.valueOf(e.getMessage()));
        if (e instanceof BuildException b) {
            List<String> tail = new ArrayList<>();
            b.logTail().forEach(line -> tail.add(mask.apply(line)));
            return new BuildException(withoutTail(message, tail), tail);
        }
        if (e instanceof RegistryAuthenticationException r) {
            return new RegistryAuthenticationException(message, r.statusCode());
        }
        if (e instanceof RegistryException r) {
            return new RegistryException(message, r.statusCode(), r.errorCodes(), null);
        }
        if (e instanceof VerificationException) {
            return new VerificationException(message);
        }
        if (e instanceof InvalidInputException) {
            return new InvalidInputException(message);
        }
        // a family member this class does not know yet: keep the message and the exit code's meaning
        return new BuildException(e.getClass().getSimpleName() + ": " + message, List.of());
    }

    /** BuildException appends its tail to the message it is given; the copy must not carry it twice. */
    private static String withoutTail(String message, List<String> tail) {
        String suffix = new BuildException("", tail).getMessage();
        return !suffix.isEmpty() && message.endsWith(suffix)
                ? message.substring(0, message.length() - suffix.length())
                : message;
    }

    /** {@code java.io.UncheckedIOException: x; caused by com.fasterxml...JsonParseException: y} (at most 5 causes). */
    static String describeWithCauses(Throwable failure) {
        StringBuilder b = new StringBuilder(describe(failure));
        Throwable cause = failure.getCause();
        for (int i = 0; cause != null && cause != failure && i < 5; i++) {
            b.append("; caused by ").append(describe(cause));
            Throwable next = cause.getCause();
            if (next == cause) {
                break;
            }
            cause = next;
        }
        return b.toString();
    }

    private static String describe(Throwable t) {
        return t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
