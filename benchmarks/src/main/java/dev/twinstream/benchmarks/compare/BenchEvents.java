package dev.twinstream.benchmarks.compare;

import java.util.UUID;

/**
 * The events every contender sends: {@value #DISTINCT} distinct user events, cycled, whose
 * JSON-lines envelope is ~272 bytes, with {@value #PARTITION_KEYS} distinct partition keys (the user
 * id). Built once per JVM before anything is measured, so the benchmark loop allocates nothing of its
 * own per event. The raw and KPL contenders send {@link RawEnvelope}s, the same shape the tracker
 * writes, serialized with Jackson per event; their event ids are fixed UUIDs made here (the tracker
 * makes a UUIDv7 and a timestamp per {@code track()}, which the others do not pay for).
 */
public final class BenchEvents {
    /** Distinct events (a power of two, so the index is a mask). */
    static final int DISTINCT = 4096;
    /** Distinct partition keys; 7919 is prime, so every key occurs among the distinct events. */
    static final int PARTITION_KEYS = 2000;
    private static final int KEY_STRIDE = 7919;
    private static final long FIRST_TIMESTAMP_MILLIS = 1_790_000_000_000L;

    /**
     * A tracked event; its own JSON is ~149 bytes (the tracker's envelope ~273 with its newline, the raw one ~272).
     *
     * @param userId the partition key, one of {@value #PARTITION_KEYS}
     * @param sessionId a session
     * @param eventType what happened
     * @param page where
     * @param timestamp when, epoch milliseconds
     */
    public record UserEvent(String userId, String sessionId, String eventType, String page, long timestamp) {}

    /**
     * What the raw and KPL contenders send per event: the tracker's envelope shape.
     *
     * @param eventId a UUID
     * @param eventType the event type's name
     * @param occurredAt ISO-8601 UTC
     * @param data the event
     */
    public record RawEnvelope(String eventId, String eventType, String occurredAt, UserEvent data) {}

    /** The event type's name, in the tracker and in the raw envelopes. */
    static final String TYPE = "user_event";

    private final UserEvent[] events = new UserEvent[DISTINCT];
    private final RawEnvelope[] envelopes = new RawEnvelope[DISTINCT];

    BenchEvents() {
        for (int i = 0; i < DISTINCT; i++) {
            events[i] = new UserEvent("user-" + (i * KEY_STRIDE % PARTITION_KEYS), "session-" + (i % 97),
                    i % 5 == 0 ? "add_to_cart" : "page_view",
                    "/products/audio/headphones/" + i + "?color=black", FIRST_TIMESTAMP_MILLIS + i);
            envelopes[i] = new RawEnvelope(UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8)}).toString(), TYPE,
                    "2026-11-22T05:00:00.000Z", events[i]);
        }
    }

    /**
     * {@return the i-th event of the endless cycle}
     *
     * @param i any non-negative index
     */
    UserEvent event(long i) {
        return events[(int) (i & (DISTINCT - 1))];
    }

    /**
     * {@return the envelope of the i-th event}
     *
     * @param i any non-negative index
     */
    RawEnvelope envelope(long i) {
        return envelopes[(int) (i & (DISTINCT - 1))];
    }
}
