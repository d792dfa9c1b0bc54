package dev.twinstream.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * An accepted event with its enrichment, as a {@link RecordFormat} sees it while encoding. Created
 * by the tracker once per {@code track()} call; valid only during {@link RecordFormat#encode}.
 *
 * <p>The full JSON envelope written by {@link RecordFormat#jsonLines()} is:
 * <pre>{@code {"eventId":"…","eventType":"…","occurredAt":"2026-11-22T10:15:30.123Z","context":{…},"data":{…}}}</pre>
 * where {@code context} is omitted when the tracker has no static context.
 */
public interface Envelope extends TrackedEvent {

    /** {@return {@link #occurredAtMillis()} as ISO-8601 UTC with milliseconds, e.g. {@code 2026-11-22T10:15:30.123Z}} */
    String occurredAt();

    /** {@return the tracker's static context (app, version, host …), in insertion order; never null} */
    Map<String, String> context();

    /** {@return the tracked object itself} */
    Object event();

    /** {@return the event serialized by its type's Jackson {@code ObjectWriter}, UTF-8 JSON} Do not modify. */
    byte[] dataJson();

    /** {@return the event as a Jackson tree (computed on first use from {@link #dataJson()})} */
    JsonNode dataTree();
}
