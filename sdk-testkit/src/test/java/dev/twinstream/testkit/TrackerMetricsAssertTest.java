package dev.twinstream.testkit;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.JournalRecovery;
import dev.twinstream.core.TrackerMetrics;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class TrackerMetricsAssertTest {

    private static TrackerMetrics withUndelivered(long undelivered) {
        return new TrackerMetrics(Collections.emptyMap(), Collections.emptyMap(), 0, 0, 1024, 0, 0, 0, 0,
                JournalRecovery.none(), undelivered);
    }

    @Test
    void hasDeliveredEveryNotificationFailsWithTheCountCloseGaveUp() {
        assertThat(withUndelivered(0)).hasDeliveredEveryNotification();
        assertThatThrownBy(() -> assertThat(withUndelivered(3)).hasDeliveredEveryNotification())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("close() gave up 3");
    }
}
