package dev.twinstream.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.Clock;
import dev.twinstream.testkit.ManualClock;
import dev.twinstream.testkit.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FaultPlanTest {

    private final VirtualScheduler time = new VirtualScheduler();

    @Test
    void takesTheVirtualSchedulersClockUnlessOneIsGiven() {
        ManualClock other = new ManualClock();

        assertThat(new FaultPlan(time, null, 0).clock()).isSameAs(time.clock());
        assertThat(new FaultPlan(time, other, 0).clock()).isSameAs(other);
        assertThat(new FaultPlan(null, null, 0).clock()).isSameAs(Clock.system());
    }

    @Test
    void aWindowHoldsFromNowForItsDurationExclusive() {
        FaultPlan plan = new FaultPlan(time, null, 0);
        FaultPlan.Window window = plan.window();
        assertThat(window.isOpen()).isFalse();

        window.openFor(Duration.ofSeconds(10).toNanos());
        assertThat(window.isOpen()).isTrue();
        time.clock().advance(Duration.ofMillis(9_999));
        assertThat(window.isOpen()).isTrue();
        time.clock().advance(Duration.ofMillis(1));
        assertThat(window.isOpen()).isFalse();
    }

    @Test
    void aWindowOfZeroOrLessStaysClosedAndCloseEndsItEarly() {
        FaultPlan plan = new FaultPlan(time, null, 0);
        FaultPlan.Window window = plan.window();

        window.openFor(0);
        assertThat(window.isOpen()).isFalse();
        window.openFor(-5);
        assertThat(window.isOpen()).isFalse();

        window.openUntil(time.clock().nanoTime() + 100);
        assertThat(window.isOpen()).isTrue();
        window.close();
        assertThat(window.isOpen()).isFalse();
    }

    @Test
    void aVeryLongWindowSaturatesInsteadOfWrappingIntoThePast() {
        FaultPlan plan = new FaultPlan(time, null, 0);
        FaultPlan.Window window = plan.window();

        window.openFor(Long.MAX_VALUE);
        time.clock().advance(Duration.ofDays(365 * 100));

        assertThat(window.isOpen()).isTrue();
    }

    @Test
    void aCountdownFailsExactlyTheNextNCallsAndASetReplacesTheCount() {
        FaultPlan.Countdown<String> countdown = new FaultPlan.Countdown<>();
        assertThat(countdown.take()).isNull();

        countdown.set(2, "boom");
        assertThat(countdown.take()).isEqualTo("boom");
        assertThat(countdown.take()).isEqualTo("boom");
        assertThat(countdown.take()).isNull();

        countdown.set(3, "a");
        countdown.set(1, "b");
        assertThat(countdown.take()).isEqualTo("b");
        assertThat(countdown.take()).isNull();
    }

    @Test
    void chancesDrawFromOneSeededGeneratorOnlyWhileOn() {
        FaultPlan plan = new FaultPlan(null, null, 42);
        FaultPlan.Chance<String> first = plan.chance();
        FaultPlan.Chance<String> second = plan.chance();
        first.set(0.5, "first");
        second.set(0.3, "second");

        List<String> drawn = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            drawn.add(first.draw());
            drawn.add(second.draw());
            second.set(0, "second");
            drawn.add(second.draw()); // off: no draw, never fails
            second.set(0.3, "second");
        }

        Random expected = new Random(42);
        List<String> reference = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            reference.add(expected.nextDouble() < 0.5 ? "first" : null);
            reference.add(expected.nextDouble() < 0.3 ? "second" : null);
            reference.add(null);
        }
        assertThat(drawn).isEqualTo(reference);
        assertThat(drawn).contains("first", "second");
    }

    @Test
    void reseedRestartsTheDraws() {
        FaultPlan plan = new FaultPlan(null, null, 7);
        FaultPlan.Chance<Integer> chance = plan.chance();
        chance.set(0.5, 1);
        List<Integer> before = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            before.add(chance.draw());
        }

        plan.reseed();
        List<Integer> after = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            after.add(chance.draw());
        }

        assertThat(after).isEqualTo(before).contains(1).containsNull();
    }

    @Test
    void completesAtOnceWithoutASchedulerAndOnTheSchedulerAfterTheDelayWithOne() {
        List<String> done = new ArrayList<>();
        new FaultPlan(null, null, 0).complete(() -> done.add("sync"), 0);
        assertThat(done).containsExactly("sync");

        FaultPlan plan = new FaultPlan(time, null, 0);
        plan.complete(() -> done.add("now"), 0);
        plan.complete(() -> done.add("later"), Duration.ofSeconds(1).toNanos());
        assertThat(done).containsExactly("sync");
        time.runPending();
        assertThat(done).containsExactly("sync", "now");
        time.advance(Duration.ofSeconds(1));
        assertThat(done).containsExactly("sync", "now", "later");
    }

    @Test
    void validatesCountsFractionsAndDurationsNamingTheValue() {
        assertThatThrownBy(() -> FaultPlan.checkCount(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n must be at least 0 but was -1");
        FaultPlan.checkCount(0);

        assertThatThrownBy(() -> FaultPlan.checkFraction(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fraction must be between 0 and 1 but was 1.5");
        assertThatThrownBy(() -> FaultPlan.checkFraction(Double.NaN)).hasMessageContaining("was NaN");
        FaultPlan.checkFraction(0);
        FaultPlan.checkFraction(1);

        assertThatThrownBy(() -> FaultPlan.checkNonNegative(Duration.ofMillis(-1), "window"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("window must not be negative but was PT-0.001S");
        assertThatThrownBy(() -> FaultPlan.checkNonNegative(null, "window")).isInstanceOf(NullPointerException.class)
                .hasMessage("window");
        assertThat(FaultPlan.checkNonNegative(Duration.ofSeconds(2), "window")).isEqualTo(2_000_000_000L);
        assertThat(FaultPlan.checkNonNegative(Duration.ofSeconds(Long.MAX_VALUE), "window")).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aNonZeroLatencyNeedsAScheduler() {
        FaultPlan without = new FaultPlan(null, null, 0);

        assertThat(without.checkLatency(Duration.ZERO, "use a scheduler")).isZero();
        assertThatThrownBy(() -> without.checkLatency(Duration.ofMillis(5), "use a scheduler"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("latency PT0.005S needs a scheduler: use a scheduler");
        assertThatThrownBy(() -> without.checkLatency(Duration.ofMillis(-5), "use a scheduler"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("latency must not be negative");
        assertThat(new FaultPlan(time, null, 0).checkLatency(Duration.ofMillis(5), "x")).isEqualTo(5_000_000L);
    }
}
