package dev.twinstream.samples.readingapp;

import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.FsyncPolicy;
import dev.twinstream.core.Journal;
import dev.twinstream.core.RecordFormat;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.firehose.FirehoseSink;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.services.firehose.FirehoseAsyncClient;

/**
 * Seed 000's "write twice" pipeline: one tracker, two Firehose sinks, a disk journal.
 * <ul>
 *   <li>{@code realtime}: one delivery stream feeding Redshift, the flat projection (chosen columns
 *       plus the original event as a JSON string, as Redshift COPY wants it);
 *   <li>{@code backup}: full JSON-lines envelopes to S3, routed by category into two delivery streams.
 * </ul>
 */
final class Pipeline {
    static final String REALTIME_SINK = "realtime";
    static final String BACKUP_SINK = "backup";

    /** The Redshift row: what the real-time stream's COPY loads. */
    static final RecordFormat REDSHIFT_ROW = RecordFormat.flat()
            .column("event_id", "eventId")
            .column("event_type", "eventType")
            .column("occurred_at", "occurredAt")
            .column("category")
            .column("user_id", "userId")
            .originalEventAs("event_data")
            .build();

    private Pipeline() {}

    /**
     * The tracker. Linger is short (200 ms real-time, 1 s backup) so the demo shows movement; in
     * production the Firehose sink's 30 s default costs nothing visible, since Firehose itself
     * buffers 60-900 s before it writes.
     */
    static EventTracker tracker(FirehoseAsyncClient client, Streams streams, Path journal, DeliveryListener listener) {
        FirehoseSink realtime = FirehoseSink.builder(client).deliveryStream(streams.realtime()).build();
        FirehoseSink backup = FirehoseSink.builder(client)
                .deliveryStream(streams.backupOther())
                .routeBy((type, category) -> ReadingEvents.BOOK_ACTIVITY.equals(category) ? streams.backupBooks() : null)
                .build();
        return EventTracker.builder()
                .register(ReadingEvents.BOOK)
                .register(ReadingEvents.OTHER)
                .sink(REALTIME_SINK, realtime, SinkOptions.defaults().format(REDSHIFT_ROW).linger(Duration.ofMillis(200)))
                .sink(BACKUP_SINK, backup, SinkOptions.defaults().format(RecordFormat.jsonLines()).linger(Duration.ofSeconds(1)))
                .journal(Journal.disk(journal).fsync(FsyncPolicy.always()))
                .retry(RetryPolicy.defaults().baseDelay(Duration.ofMillis(50)).maxDelay(Duration.ofSeconds(1)))
                .listener(listener)
                .context("app", "reader")
                .build();
    }

    /** The three delivery streams' names. */
    record Streams(String realtime, String backupBooks, String backupOther) {
        java.util.List<String> all() {
            return java.util.List.of(realtime, backupBooks, backupOther);
        }
    }
}
