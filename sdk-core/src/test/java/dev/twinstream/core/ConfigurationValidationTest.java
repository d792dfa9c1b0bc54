package dev.twinstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.core.spi.SinkLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationValidationTest {
    record PageView(String userId, String page) {}

    @Test
    void buildReportsEveryViolationWithFieldRangeAndValue() {
        CollectingSink sink = new CollectingSink(SinkLimits.of(500, 4 * 1024 * 1024, 1024 * 1000));
        EventTracker.Builder builder = EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").requireFields("userId", "nope").sinks("ghost").build())
                .sink("s3", sink, SinkOptions.defaults().maxBatchRecords(900).maxBatchBytes(-5)
                        .linger(Duration.ofMillis(-1)).maxInFlightRequests(0))
                .retry(RetryPolicy.defaults().baseDelay(Duration.ZERO).maxAttempts(0))
                .journal(Journal.memory().maxBytes(10))
                .closeTimeout(Duration.ofSeconds(-1));

        assertThatThrownBy(builder::build)
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).violations()).hasSize(10))
                .hasMessageContaining("sinks.s3.maxBatchRecords must be between 1 and 500 but was 900")
                .hasMessageContaining("sinks.s3.maxBatchBytes must be between 1 and 4194304 but was -5")
                .hasMessageContaining("sinks.s3.linger must be between PT0S and PT1M but was PT-0.001S")
                .hasMessageContaining("sinks.s3.maxInFlightRequests must be between 1 and 64 but was 0")
                .hasMessageContaining("retry.baseDelay must be between PT0.001S and PT1H but was PT0S")
                .hasMessageContaining("retry.maxAttempts must be between 1 and 2147483647 but was 0")
                .hasMessageContaining("journal.maxBytes must be between 65536 and 1099511627776 but was 10")
                .hasMessageContaining("closeTimeout must be between PT0S and PT1H but was PT-1S")
                .hasMessageContaining("eventTypes.page_view.requireFields: 'nope' is not a JSON property of "
                        + PageView.class.getName() + " (properties: [page, userId])")
                .hasMessageContaining("eventTypes.page_view.sinks: 'ghost' is not a registered sink (sinks: [s3])");
    }

    @Test
    void aTrackerNeedsSinksAndEventTypesWithUniqueNames() {
        assertThatThrownBy(() -> EventTracker.builder().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("sinks: at least 1 sink is required but none was added")
                .hasMessageContaining("eventTypes: at least 1 event type must be registered but none was");

        CollectingSink sink = new CollectingSink();
        assertThatThrownBy(() -> EventTracker.builder()
                .register(EventType.builder(PageView.class, "a").build())
                .register(EventType.builder(PageView.class, "a").build())
                .sink("x", sink).sink("x", sink).sink("bad name", sink)
                .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("sinks: the name 'x' is used more than once")
                .hasMessageContaining("sinks: name must match [A-Za-z0-9_.-]{1,64} but was 'bad name'")
                .hasMessageContaining("eventTypes: the name 'a' is registered more than once")
                .hasMessageContaining("the class " + PageView.class.getName() + " is registered more than once");
    }

    @Test
    void eventTypeAndLimitsValidateThemselves() {
        assertThatThrownBy(() -> EventType.builder(PageView.class, "has space").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("eventType.name must match [A-Za-z0-9_.:/-]{1,128} but was 'has space'");
        assertThatThrownBy(() -> SinkLimits.of(0, 10, 10))
                .hasMessage("maxRecordsPerBatch must be at least 1 but was 0");
        assertThatThrownBy(() -> SinkLimits.of(1, 10, 20))
                .hasMessage("maxBytesPerBatch must be at least maxBytesPerRecord (20) but was 10");
        assertThatThrownBy(() -> RecordFormat.flat().originalEventAs(null).build())
                .hasMessageContaining("flat format must have at least 1 column but has 0");
    }

    @Test
    void aBatchLimitOfZeroIsTheSinksOwnLimitAndANegativeOneIsRejected() {
        CollectingSink sink = new CollectingSink(SinkLimits.of(3, 4 * 1024 * 1024, 1024 * 1000));
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").build())
                .sink("s", sink, SinkOptions.defaults().maxBatchRecords(SinkOptions.SINK_LIMIT).maxBatchBytes(0)
                        .linger(Duration.ofMinutes(1)))
                .build()) {
            for (int i = 0; i < 7; i++) {
                tracker.track(new PageView("u" + i, "/"));
            }
            assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(sink.batchSizes()).as("batches at the sink's limit of 3 records").containsExactly(3, 3, 1);

        assertThatThrownBy(() -> EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").build())
                .sink("s", new CollectingSink(), SinkOptions.defaults().maxBatchRecords(-1).maxBatchBytes(-2))
                .build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).violations()).containsExactly(
                        "sinks.s.maxBatchRecords must be between 1 and 500 but was -1 "
                                + "(or 0, SinkOptions.SINK_LIMIT, for the sink's own limit)",
                        "sinks.s.maxBatchBytes must be between 1 and 4194304 but was -2 "
                                + "(or 0, SinkOptions.SINK_LIMIT, for the sink's own limit)"));
    }

    @Test
    void theSameSinkInstanceUnderTwoNamesIsRejected() {
        CollectingSink sink = new CollectingSink();
        assertThatThrownBy(() -> EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").build())
                .sink("a", sink)
                .sink("b", sink)
                .sink("c", new CollectingSink())
                .build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).violations())
                        .containsExactly("sinks.b: the same Sink instance is already registered as 'a'"));
    }

    @Test
    void theMemoryWindowIsADiskJournalSettingAndADiskJournalRefusesDropOldest(@TempDir Path dir) {
        assertThatThrownBy(() -> EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").build())
                .sink("s", new CollectingSink())
                .journal(Journal.disk(dir.resolve("j")).memoryBytes(1024).overflow(OverflowPolicy.dropOldest()))
                .build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).violations()).containsExactly(
                        "journal.memoryBytes must be between 65536 and 1073741824 but was 1024",
                        "journal.overflow: a disk journal supports block(timeout) and dropNewest() but was given "
                                + OverflowPolicy.dropOldest() + ", which would delete events already written to disk "
                                + "(and perhaps confirmed durable)"));
        assertThatThrownBy(() -> EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").build())
                .sink("s", new CollectingSink())
                .journal(Journal.memory().memoryBytes(1L << 20))
                .build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).violations()).containsExactly(
                        "journal.memoryBytes: only a disk journal has a memory window (a memory journal keeps every "
                                + "event in memory, bounded by maxBytes) but a memory journal was given 1048576"));
    }

    @Test
    void aJournalDirectoryThatIsARegularFileIsReportedAsNotADirectory(@TempDir Path dir) throws IOException {
        Path file = Files.createFile(dir.resolve("not-a-dir"));
        assertThatThrownBy(() -> EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").build())
                .sink("s", new CollectingSink())
                .journal(Journal.disk(file))
                .build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).violations())
                        .containsExactly("journal.directory: " + file + " is not a directory"));

        Path below = file.resolve("journal");
        assertThatThrownBy(() -> EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").build())
                .sink("s", new CollectingSink())
                .journal(Journal.disk(below))
                .build())
                .isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((ConfigurationException) e).violations())
                        .containsExactly("journal.directory: cannot create " + below + " because " + file
                                + " is not a directory"));
    }

    @Test
    void sinkLimitsDeclareBillingUnitAndDefaultLingerWithinBounds() {
        SinkLimits plain = SinkLimits.of(500, 4 * 1024 * 1024, 1024 * 1000);
        assertThat(plain.billingUnitBytes()).isEqualTo(1);
        assertThat(plain.defaultLinger()).isEqualTo(SinkOptions.DEFAULT_LINGER);
        SinkLimits billed = plain.withBillingUnitBytes(5 * 1024).withDefaultLinger(Duration.ofSeconds(30));
        assertThat(billed.billingUnitBytes()).isEqualTo(5 * 1024);
        assertThat(billed.defaultLinger()).isEqualTo(Duration.ofSeconds(30));
        assertThat(billed).isNotEqualTo(plain).isEqualTo(plain.withDefaultLinger(Duration.ofSeconds(30))
                .withBillingUnitBytes(5 * 1024));
        assertThat(billed.toString()).contains("billingUnitBytes=5120", "defaultLinger=PT30S");
        assertThatThrownBy(() -> plain.withBillingUnitBytes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("billingUnitBytes must be at least 1 but was 0");
        assertThatThrownBy(() -> plain.withDefaultLinger(Duration.ofSeconds(61))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("defaultLinger must be between 0 and 1 minute but was PT1M1S");
        assertThatThrownBy(() -> plain.withDefaultLinger(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
        // The marker passes validation and is resolved to the sink's default when the tracker is built.
        CollectingSink sink = new CollectingSink(billed);
        try (EventTracker tracker = EventTracker.builder()
                .register(EventType.builder(PageView.class, "page_view").build())
                .sink("s3", sink, SinkOptions.defaults().linger(SinkOptions.SINK_DEFAULT_LINGER)).build()) {
            assertThat(tracker).isNotNull();
        }
    }
}
