package dev.twinstream.core;

import dev.twinstream.core.internal.encode.JsonLinesFormat;
import java.io.IOException;

/**
 * How an {@link Envelope} becomes the bytes a sink sends. Each sink picks one (see
 * {@link SinkOptions#format(RecordFormat)}); an event is encoded once per distinct format (by
 * {@code equals}), on the thread that calls {@code track()}.
 *
 * <p>Implementations must be thread-safe and should implement {@code equals}/{@code hashCode} by
 * configuration so two sinks with the same format share the encoding.
 */
public interface RecordFormat {

    /**
     * Encodes one event.
     *
     * @param envelope the event and its enrichment, valid only during this call
     * @return the bytes the sink sends for the event
     * @throws IOException if the event cannot be encoded; {@code track()} then rejects the event
     *     with {@link EventRejectedException.Reason#NOT_SERIALIZABLE}
     */
    byte[] encode(Envelope envelope) throws IOException;

    /**
     * The full envelope as one line of JSON terminated by {@code '\n'} (newline-delimited JSON, what
     * S3 consumers, Athena and Redshift {@code COPY … JSON 'auto'} read).
     *
     * @return the shared JSON-lines format
     */
    static RecordFormat jsonLines() {
        return JsonLinesFormat.INSTANCE;
    }

    /**
     * A flat projection: chosen top-level columns plus the original event as a JSON string, one line
     * per event (the Redshift {@code COPY} shape).
     *
     * @return a new builder of a {@link FlatRecordFormat}
     */
    static FlatRecordFormat.Builder flat() {
        return FlatRecordFormat.builder();
    }
}
