package io.jenkins.plugins.multiarch.flow;

import static io.jenkins.plugins.multiarch.flow.LabelAvailability.CLOUD;
import static io.jenkins.plugins.multiarch.flow.LabelAvailability.NONE;
import static io.jenkins.plugins.multiarch.flow.LabelAvailability.OFFLINE;
import static io.jenkins.plugins.multiarch.flow.LabelAvailability.ONLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.flow.DispatchDecision.Kind;
import io.jenkins.plugins.multiarch.flow.DispatchDecision.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Where a platform is built, for every policy and every state of its native and emulation labels: the
 * decision {@code multiArchSelectAgent} applies in Jenkins, and its wait loop on a virtual clock.
 */
class AgentChoiceTest {

    private static final String NATIVE = "arm64";
    private static final String EMULATION = "amd64 && qemu";
    private static final Duration WAIT = Duration.ofSeconds(300);

    private static DispatchFacts facts(
            EmulationPolicy policy,
            LabelAvailability nativeState,
            String emulationLabel,
            LabelAvailability emulationState,
            Duration wait) {
        return new DispatchFacts("linux/arm64", NATIVE, nativeState, emulationLabel, emulationState, policy, wait);
    }

    private static DispatchDecision first(DispatchFacts facts) {
        return AgentChoice.decide(facts, Duration.ZERO);
    }

    /**
     * The table of first decisions (nothing waited yet). Columns: policy, native label state, emulation label
     * (- for none), its state, the wait in seconds; then the expected reason and label (- for none).
     */
    @ParameterizedTest(name = "{0} native={1} emulation={2}/{3} wait={4}s -> {5} {6}")
    @CsvSource(delimiter = '|', textBlock = """
            # an online native agent always wins, except under 'always'
            fallback | ONLINE  | amd64 && qemu | ONLINE  | 300 | NATIVE_ONLINE                      | arm64
            never    | ONLINE  | amd64 && qemu | ONLINE  | 300 | NATIVE_ONLINE                      | arm64
            fallback | ONLINE  | -             | NONE    | 0   | NATIVE_ONLINE                      | arm64
            # a cloud that can provision the native label: handed to node(label), never emulated
            fallback | CLOUD   | amd64 && qemu | ONLINE  | 300 | NATIVE_FROM_CLOUD                  | arm64
            fallback | CLOUD   | amd64 && qemu | ONLINE  | 0   | NATIVE_FROM_CLOUD                  | arm64
            never    | CLOUD   | -             | NONE    | 0   | NATIVE_FROM_CLOUD                  | arm64
            fallback | CLOUD   | -             | NONE    | 300 | NATIVE_FROM_CLOUD                  | arm64
            # 'always' goes to the emulation label, whatever serves the native one
            always   | ONLINE  | amd64 && qemu | ONLINE  | 300 | EMULATION_ALWAYS                   | amd64 && qemu
            always   | CLOUD   | amd64 && qemu | OFFLINE | 300 | EMULATION_ALWAYS                   | amd64 && qemu
            always   | NONE    | amd64 && qemu | CLOUD   | 0   | EMULATION_ALWAYS                   | amd64 && qemu
            always   | ONLINE  | -             | NONE    | 300 | ALWAYS_WITHOUT_EMULATION_LABEL     | -
            always   | ONLINE  | amd64 && qemu | NONE    | 300 | EMULATION_LABEL_UNSERVED           | -
            # 'never': offline native agents are waited for in the queue; nothing at all is refused
            never    | OFFLINE | amd64 && qemu | ONLINE  | 300 | NATIVE_QUEUED_EMULATION_NEVER      | arm64
            never    | NONE    | amd64 && qemu | ONLINE  | 300 | NATIVE_UNSERVED_EMULATION_NEVER    | -
            never    | NONE    | -             | NONE    | 0   | NATIVE_UNSERVED_EMULATION_NEVER    | -
            # 'fallback' without an emulation label behaves like 'never'
            fallback | OFFLINE | -             | NONE    | 300 | NATIVE_QUEUED_NO_EMULATION_LABEL   | arm64
            fallback | NONE    | -             | NONE    | 300 | NATIVE_UNSERVED_NO_EMULATION_LABEL | -
            # 'fallback' with one: wait for a native agent, or emulate at once with a wait of 0
            fallback | OFFLINE | amd64 && qemu | ONLINE  | 300 | WAITING_FOR_NATIVE                 | arm64
            fallback | NONE    | amd64 && qemu | ONLINE  | 300 | WAITING_FOR_NATIVE                 | arm64
            fallback | NONE    | amd64 && qemu | NONE    | 300 | WAITING_FOR_NATIVE                 | arm64
            fallback | OFFLINE | amd64 && qemu | ONLINE  | 0   | EMULATION_WITHOUT_WAIT             | amd64 && qemu
            fallback | NONE    | amd64 && qemu | CLOUD   | 0   | EMULATION_WITHOUT_WAIT             | amd64 && qemu
            fallback | NONE    | amd64 && qemu | OFFLINE | 0   | EMULATION_WITHOUT_WAIT             | amd64 && qemu
            fallback | NONE    | amd64 && qemu | NONE    | 0   | EMULATION_LABEL_UNSERVED           | -
            """)
    void firstDecision(
            String policy,
            LabelAvailability nativeState,
            String emulationLabel,
            LabelAvailability emulationState,
            long waitSeconds,
            Reason expected,
            String expectedLabel) {
        DispatchDecision d = first(facts(
                EmulationPolicy.parse(policy),
                nativeState,
                "-".equals(emulationLabel) ? null : emulationLabel,
                emulationState,
                Duration.ofSeconds(waitSeconds)));
        assertThat(d.reason()).isEqualTo(expected);
        assertThat(d.label()).isEqualTo("-".equals(expectedLabel) ? null : expectedLabel);
        assertThat(d.emulated()).isEqualTo(expected.emulated());
        if (d.waits()) {
            assertThat(d.remainingWait()).isEqualTo(Duration.ofSeconds(waitSeconds));
        } else {
            assertThat(d.remainingWait()).isZero();
        }
    }

    @Test
    void aPlatformWithoutANativeLabelIsRefusedUnderEveryPolicy() {
        for (EmulationPolicy policy : EmulationPolicy.values()) {
            DispatchFacts f = new DispatchFacts("linux/s390x", null, ONLINE, EMULATION, ONLINE, policy, WAIT);
            assertThat(first(f).reason()).as(policy.value()).isEqualTo(Reason.NO_PLATFORM_ENTRY);
        }
    }

    /** Every combination, against the rules the issue states, independently of the table above. */
    @Test
    void invariantsHoldForEveryCombination() {
        List<String> emulationLabels = new ArrayList<>();
        emulationLabels.add(null);
        emulationLabels.add(EMULATION);
        int checked = 0;
        for (EmulationPolicy policy : EmulationPolicy.values()) {
            for (LabelAvailability nativeState : LabelAvailability.values()) {
                for (String emulationLabel : emulationLabels) {
                    for (LabelAvailability emulationState : LabelAvailability.values()) {
                        for (Duration wait : List.of(Duration.ZERO, WAIT)) {
                            for (Duration waited : List.of(Duration.ZERO, Duration.ofSeconds(299), WAIT)) {
                                DispatchFacts f = facts(policy, nativeState, emulationLabel, emulationState, wait);
                                DispatchDecision d = AgentChoice.decide(f, waited);
                                String what = f + " waited " + waited + " -> " + d;
                                checked++;
                                if (policy == EmulationPolicy.NEVER) {
                                    assertThat(d.emulated())
                                            .as("never emulates: " + what)
                                            .isFalse();
                                    assertThat(d.waits())
                                            .as("never polls: " + what)
                                            .isFalse();
                                }
                                if (policy == EmulationPolicy.ALWAYS) {
                                    assertThat(d.kind() == Kind.USE && !d.emulated())
                                            .as("always is never native: " + what)
                                            .isFalse();
                                }
                                if (policy != EmulationPolicy.ALWAYS && nativeState.servesNow()) {
                                    assertThat(d.kind())
                                            .as("served native label is used: " + what)
                                            .isEqualTo(Kind.USE);
                                    assertThat(d.label()).as(what).isEqualTo(NATIVE);
                                }
                                if (d.emulated()) {
                                    assertThat(d.label()).as(what).isEqualTo(EMULATION);
                                    assertThat(f.emulationAvailability())
                                            .as("emulation label served: " + what)
                                            .isNotEqualTo(NONE);
                                    if (policy == EmulationPolicy.FALLBACK) {
                                        assertThat(nativeState.servesNow())
                                                .as("fallback emulates only when nothing serves the native label: "
                                                        + what)
                                                .isFalse();
                                        assertThat(waited.compareTo(wait))
                                                .as("fallback emulates only after the wait: " + what)
                                                .isGreaterThanOrEqualTo(0);
                                    }
                                }
                                if (d.waits()) {
                                    assertThat(wait)
                                            .as("a wait of 0 never waits: " + what)
                                            .isPositive();
                                    assertThat(d.remainingWait()).as(what).isEqualTo(wait.minus(waited));
                                }
                                if (d.kind() == Kind.USE && d.label().equals(NATIVE)) {
                                    assertThat(d.reason().waitsInQueue())
                                            .as("the queue waits exactly when no native agent is online: " + what)
                                            .isEqualTo(nativeState != ONLINE);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).isEqualTo(3 * 4 * 2 * 4 * 2 * 3);
    }

    @Test
    void aWaitingFallbackEmulatesOnceTheWaitIsOverAndSaysItWaited() {
        DispatchFacts f = facts(EmulationPolicy.FALLBACK, OFFLINE, EMULATION, ONLINE, WAIT);
        DispatchDecision during = AgentChoice.decide(f, Duration.ofSeconds(120));
        assertThat(during.reason()).isEqualTo(Reason.WAITING_FOR_NATIVE);
        assertThat(during.remainingWait()).isEqualTo(Duration.ofSeconds(180));
        assertThat(AgentChoice.decide(f, WAIT).reason()).isEqualTo(Reason.EMULATION_AFTER_WAIT);
        assertThat(AgentChoice.decide(f, WAIT.plusSeconds(5)).reason()).isEqualTo(Reason.EMULATION_AFTER_WAIT);
        // The emulation agents went away during the wait: refused, not handed to a label nothing serves.
        DispatchFacts gone = facts(EmulationPolicy.FALLBACK, OFFLINE, EMULATION, NONE, WAIT);
        assertThat(AgentChoice.decide(gone, WAIT).reason()).isEqualTo(Reason.EMULATION_LABEL_UNSERVED);
    }

    // ---- the wait loop, on a virtual clock ----------------------------------------------------------

    /** A clock that only moves when the loop sleeps, and that records the sleeps. */
    private static final class VirtualTime implements AgentChoice.Waiting {
        long now = 1_000_000_000L;
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(Duration d) {
            sleeps.add(d);
            now += d.toNanos();
        }

        Duration slept() {
            return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
        }
    }

    /** Facts whose native state follows a script, one entry per look (the last one repeats). */
    private static Supplier<DispatchFacts> nativeStates(EmulationPolicy policy, Duration wait, LabelAvailability... s) {
        List<LabelAvailability> states = List.of(s);
        Iterator<LabelAvailability> it = states.iterator();
        LabelAvailability[] last = {states.get(0)};
        return () -> {
            if (it.hasNext()) {
                last[0] = it.next();
            }
            return facts(policy, last[0], EMULATION, ONLINE, wait);
        };
    }

    @Test
    void theLoopStopsWaitingAsSoonAsANativeAgentComesOnline() throws Exception {
        VirtualTime time = new VirtualTime();
        List<DispatchDecision> told = new ArrayList<>();
        DispatchDecision d = AgentChoice.decideWaiting(
                nativeStates(EmulationPolicy.FALLBACK, WAIT, OFFLINE, OFFLINE, OFFLINE, ONLINE),
                Duration.ofSeconds(2),
                time,
                told::add);
        assertThat(d.reason()).isEqualTo(Reason.NATIVE_ONLINE);
        assertThat(d.label()).isEqualTo(NATIVE);
        assertThat(time.sleeps).hasSize(3).allMatch(s -> s.equals(Duration.ofSeconds(2)));
        assertThat(told)
                .singleElement()
                .satisfies(w -> assertThat(w.remainingWait()).isEqualTo(WAIT));
    }

    @Test
    void theLoopTakesTheNativeLabelWhenACloudAppearsDuringTheWait() throws Exception {
        VirtualTime time = new VirtualTime();
        DispatchDecision d = AgentChoice.decideWaiting(
                nativeStates(EmulationPolicy.FALLBACK, WAIT, NONE, NONE, CLOUD), Duration.ofSeconds(2), time, w -> {});
        assertThat(d.reason()).isEqualTo(Reason.NATIVE_FROM_CLOUD);
        assertThat(d.emulated()).isFalse();
        assertThat(time.slept()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void theLoopEmulatesAfterExactlyTheWaitWhenNothingServesTheNativeLabel() throws Exception {
        VirtualTime time = new VirtualTime();
        List<DispatchDecision> told = new ArrayList<>();
        Duration wait = Duration.ofSeconds(5);
        DispatchDecision d = AgentChoice.decideWaiting(
                nativeStates(EmulationPolicy.FALLBACK, wait, NONE), Duration.ofSeconds(2), time, told::add);
        assertThat(d.reason()).isEqualTo(Reason.EMULATION_AFTER_WAIT);
        assertThat(d.label()).isEqualTo(EMULATION);
        // 2 + 2 + 1: the last sleep is cut to what is left, so the wait is never overrun by a poll.
        assertThat(time.sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(1));
        assertThat(told).hasSize(1);
    }

    @Test
    void aZeroWaitNeitherSleepsNorAnnouncesAWait() throws Exception {
        VirtualTime time = new VirtualTime();
        List<DispatchDecision> told = new ArrayList<>();
        DispatchDecision d = AgentChoice.decideWaiting(
                nativeStates(EmulationPolicy.FALLBACK, Duration.ZERO, OFFLINE), Duration.ofSeconds(2), time, told::add);
        assertThat(d.reason()).isEqualTo(Reason.EMULATION_WITHOUT_WAIT);
        assertThat(time.sleeps).isEmpty();
        assertThat(told).as("no 'waiting up to 0 seconds'").isEmpty();
    }

    @Test
    void neverAndAlwaysDecideWithoutSleeping() throws Exception {
        for (EmulationPolicy policy : List.of(EmulationPolicy.NEVER, EmulationPolicy.ALWAYS)) {
            VirtualTime time = new VirtualTime();
            AgentChoice.decideWaiting(nativeStates(policy, WAIT, NONE), Duration.ofSeconds(2), time, w -> {});
            assertThat(time.sleeps).as(policy.value()).isEmpty();
        }
    }

    // ---- inputs -------------------------------------------------------------------------------------

    @Test
    void policiesParseAsWrittenAndThePerCallValueWins() {
        assertThat(EmulationPolicy.parse("never")).isEqualTo(EmulationPolicy.NEVER);
        assertThat(EmulationPolicy.parse(" always ")).isEqualTo(EmulationPolicy.ALWAYS);
        assertThat(EmulationPolicy.FALLBACK.value()).isEqualTo("fallback");
        assertThat(EmulationPolicy.resolve(null, null)).isEqualTo(EmulationPolicy.FALLBACK);
        assertThat(EmulationPolicy.resolve("", "  ")).isEqualTo(EmulationPolicy.FALLBACK);
        assertThat(EmulationPolicy.resolve(null, "never")).isEqualTo(EmulationPolicy.NEVER);
        assertThat(EmulationPolicy.resolve("always", "never")).isEqualTo(EmulationPolicy.ALWAYS);
        assertThatThrownBy(() -> EmulationPolicy.parse("sometimes"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("emulation must be 'never', 'fallback' or 'always', not 'sometimes'");
        assertThatThrownBy(() -> EmulationPolicy.parse("NEVER")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> EmulationPolicy.resolve("x", "never")).hasMessageContaining("'x'");
        assertThatThrownBy(() -> EmulationPolicy.resolve(null, "x")).hasMessageContaining("'x'");
    }

    @Test
    void factsTreatAMissingLabelAsServedByNothing() {
        DispatchFacts f = new DispatchFacts("linux/arm64", NATIVE, ONLINE, "  ", ONLINE, EmulationPolicy.ALWAYS, WAIT);
        assertThat(f.emulationLabel()).isNull();
        assertThat(f.emulationAvailability()).isEqualTo(NONE);
        assertThat(first(f).reason()).isEqualTo(Reason.ALWAYS_WITHOUT_EMULATION_LABEL);
        assertThatThrownBy(() -> new DispatchFacts(
                        "linux/arm64", NATIVE, ONLINE, null, NONE, EmulationPolicy.NEVER, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgentChoice.decide(f, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decisionsAreConsistentWithTheirReason() {
        assertThatThrownBy(() -> new DispatchDecision(Reason.NATIVE_ONLINE, null, Duration.ZERO))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new DispatchDecision(Reason.WAITING_FOR_NATIVE, NATIVE, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DispatchDecision(Reason.NO_PLATFORM_ENTRY, NATIVE, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        for (Reason r : Reason.values()) {
            if (r.emulated()) {
                assertThat(r.kind()).as(r.name()).isEqualTo(Kind.USE);
            }
        }
    }
}
