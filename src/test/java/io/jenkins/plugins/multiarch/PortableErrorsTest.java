package io.jenkins.plugins.multiarch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Failures from an agent reach the controller through Java serialization and Jenkins' class filter
 * (jenkins-2.541.3 core/src/main/java/jenkins/security/ClassFilterImpl.java): throwables, enums, arrays, JDK
 * classes and plugin classes pass; any other class of a third-party jar is rejected. {@link ControllerFilter}
 * applies those rules to a real serialized stream, so the test sees the same rejection the controller would.
 */
class PortableErrorsTest {

    private static final UnaryOperator<String> NO_MASK = UnaryOperator.identity();

    /** A real Jackson failure, as the engine wraps it when a record is not valid JSON. */
    private static InvalidInputException recordParseFailure() {
        try {
            ArchImageRecord.fromJson("{\"schemaVersion\": ".getBytes(StandardCharsets.UTF_8), "agent a1");
        } catch (InvalidInputException e) {
            return e;
        }
        throw new AssertionError("the truncated record was accepted");
    }

    @Test
    void aJacksonCauseIsRejectedByTheControllersFilterButTheCopyPasses() throws Exception {
        InvalidInputException original = recordParseFailure();
        assertThat(original.getCause()).isInstanceOf(JsonProcessingException.class);
        // control: as the agent would send it today, the controller cannot read it
        assertThatThrownBy(() -> throughController(original))
                .isInstanceOf(InvalidClassException.class)
                .hasMessageContaining("com.fasterxml.jackson");

        Throwable received = throughController(PortableErrors.copy(original, NO_MASK));
        assertThat(received).isExactlyInstanceOf(InvalidInputException.class).hasNoCause();
        assertThat(received.getMessage())
                .isEqualTo(original.getMessage())
                .contains("record agent a1 is not valid JSON");
        assertThat(((MultiarchException) received).exitCode()).isEqualTo(2);
    }

    @Test
    void everyMemberOfTheFamilyKeepsItsClassAndDetails() throws Exception {
        RegistryException registry =
                new RegistryException("push failed: HTTP 500", 500, List.of("UNKNOWN"), new IllegalStateException("x"));
        RegistryException copied = (RegistryException) throughController(PortableErrors.copy(registry, NO_MASK));
        assertThat(copied).isExactlyInstanceOf(RegistryException.class).hasNoCause();
        assertThat(copied.statusCode()).isEqualTo(500);
        assertThat(copied.errorCodes()).containsExactly("UNKNOWN");

        RegistryAuthenticationException auth = (RegistryAuthenticationException)
                throughController(PortableErrors.copy(new RegistryAuthenticationException("denied", 401), NO_MASK));
        assertThat(auth.statusCode()).isEqualTo(401);
        assertThat(auth.getMessage()).isEqualTo("denied");

        assertThat(throughController(PortableErrors.copy(new VerificationException("wrong platform"), NO_MASK)))
                .isExactlyInstanceOf(VerificationException.class)
                .hasMessage("wrong platform");

        BuildException build =
                new BuildException("the build failed", List.of("Step 1/2", "error: boom"), new IOException("pipe"));
        BuildException copy = (BuildException) throughController(PortableErrors.copy(build, NO_MASK));
        assertThat(copy.getMessage()).as("the tail is not appended twice").isEqualTo(build.getMessage());
        assertThat(copy.logTail()).containsExactly("Step 1/2", "error: boom");
        assertThat(copy).hasNoCause();
    }

    @Test
    void aForeignFailureBecomesAnIOExceptionNamingItsClassAndCauses() throws Exception {
        JsonProcessingException jackson;
        try {
            new ObjectMapper().readTree("{");
            throw new AssertionError("parsed");
        } catch (JsonProcessingException e) {
            jackson = e;
        }
        UncheckedIOException foreign = new UncheckedIOException("reading the engine's answer", jackson);
        Exception copy = PortableErrors.copy(foreign, NO_MASK);
        assertThat(copy).isExactlyInstanceOf(IOException.class).hasNoCause();
        assertThat(copy.getMessage())
                .startsWith(
                        "java.io.UncheckedIOException: reading the engine's answer; caused by com.fasterxml.jackson");
        assertThat(copy.getStackTrace()).isEqualTo(foreign.getStackTrace());
        assertThat(throughController(copy)).hasMessage(copy.getMessage());
    }

    @Test
    void forChannelKeepsInterruptsAndMasksSecrets() throws Exception {
        assertThatThrownBy(() -> PortableErrors.forChannel(new InterruptedException("aborted"), NO_MASK))
                .isExactlyInstanceOf(InterruptedException.class)
                .hasMessage("aborted");
        UnaryOperator<String> mask = s -> s.replace("hunter2", "****");
        assertThatThrownBy(() -> PortableErrors.forChannel(
                        new BuildException("token hunter2 refused", List.of("echo hunter2")), mask))
                .isExactlyInstanceOf(BuildException.class)
                .hasMessageNotContaining("hunter2")
                .hasMessageContaining("token **** refused")
                .satisfies(e -> assertThat(((BuildException) e).logTail()).containsExactly("echo ****"));
        assertThat(PortableErrors.forChannel(new IllegalStateException("hunter2 leaked"), mask))
                .as("returned, for the callable to throw")
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("java.lang.IllegalStateException: **** leaked");
    }

    /** Serializes on "the agent" and reads back through the controller's class-filter rules. */
    private static Throwable throughController(Throwable t) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(t);
        }
        try (ObjectInputStream in = new ControllerFilter(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (Throwable) in.readObject();
        }
    }

    /** ClassFilterImpl.isBlacklisted's rules for a class that is not in core, remoting or a plugin jar. */
    private static final class ControllerFilter extends ObjectInputStream {
        ControllerFilter(ByteArrayInputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            Class<?> c = super.resolveClass(desc);
            boolean permitted = c.isArray()
                    || c.isPrimitive()
                    || Throwable.class.isAssignableFrom(c)
                    || Enum.class.isAssignableFrom(c)
                    || c.getProtectionDomain().getCodeSource() == null // the Java platform
                    || c.getName().startsWith("io.jenkins.plugins.multiarch."); // this plugin's jar
            if (!permitted) {
                throw new InvalidClassException(c.getName(), "rejected by the controller's class filter");
            }
            return c;
        }
    }
}
