package dev.twinstream.core.internal.journal;

import dev.twinstream.core.TrackedEvent;
import org.jspecify.annotations.Nullable;

/**
 * One accepted event as it sits in the log: its identity, its payload per distinct record format,
 * and the set of sinks it goes to. Immutable except for the fields documented as dispatcher-owned.
 */
public final class LogRecord implements TrackedEvent {
    /**
     * What a record costs the heap beyond its payloads: this object, its id string, the payload
     * array, and the slot of the log holding it; an estimate that errs high for typical ids and keys
     * (about 230 bytes measured for a 36-character id and a short key). Both logs bound the records
     * they keep in memory by payloads plus this, so tiny events cannot exhaust the heap.
     */
    public static final int HEAP_OVERHEAD_BYTES = 256;

    public final String eventId;
    public final String eventType;
    public final String partitionKey;
    /** Null when the event has no routing key. */
    public final @Nullable String routingKey;
    final long occurredAtMillis;
    /** Clock nanos when accepted: the origin of ages and delivery timeouts. */
    public final long acceptedNanos;
    /** Indexed by format slot; null for formats no sink of this record uses. */
    public final byte[] @Nullable [] payloads;
    /**
     * Bit {@code i} set when sink {@code i} receives this record. Narrowed only by the log, under its
     * lock and before the record is stored, when a sink is over its quota.
     */
    int sinkMask;
    /** The sum of its distinct payloads. */
    public final int sizeBytes;
    /** Non-null when the caller asked for a delivery receipt. */
    public final @Nullable Receipt receipt;

    /** Position in the log, assigned by {@link EventLog#append}. */
    public long seq = -1;
    /** Set by the log when DROP_OLDEST evicted the record while a sink still had it in flight. */
    public volatile boolean evicted;
    /** Sinks that lost the record to eviction before reading it; written and read by the evicting thread. */
    int evictedUnread;
    /** Bit {@code i} set once sink {@code i} reached a final outcome; owned by the dispatcher. */
    public int terminalMask;
    /**
     * The event id's term of the delivery ledger's digest, or -1 until computed: by the producer at
     * {@code track()} (once per event, whatever its sinks), else by the dispatcher at its first delivery.
     */
    public long ledgerTerm = -1;

    public LogRecord(String eventId, String eventType, String partitionKey, @Nullable String routingKey, long occurredAtMillis,
              long acceptedNanos, byte[] @Nullable [] payloads, int sinkMask, @Nullable Receipt receipt) {
        this.eventId = eventId;
        this.eventType = eventType;
        this.partitionKey = partitionKey;
        this.routingKey = routingKey;
        this.occurredAtMillis = occurredAtMillis;
        this.acceptedNanos = acceptedNanos;
        this.payloads = payloads;
        this.sinkMask = sinkMask;
        this.receipt = receipt;
        int size = 0;
        for (byte[] p : payloads) {
            if (p != null) {
                size += p.length;
            }
        }
        this.sizeBytes = size;
    }

    /** {@return what the record takes on the heap, as the journals count it: its payloads plus {@link #HEAP_OVERHEAD_BYTES}} */
    public int heapBytes() {
        return sizeBytes + HEAP_OVERHEAD_BYTES;
    }

    /** {@return what {@code records} records of {@code payloadBytes} in all take on the heap, as {@link #heapBytes()} counts one} */
    static long heapBytes(long records, long payloadBytes) {
        return payloadBytes + records * HEAP_OVERHEAD_BYTES;
    }

    boolean goesTo(int sink) {
        return (sinkMask & (1 << sink)) != 0;
    }

    @Override
    public String eventId() {
        return eventId;
    }

    @Override
    public String eventType() {
        return eventType;
    }

    @Override
    public String partitionKey() {
        return partitionKey;
    }

    @Override
    public @Nullable String routingKey() {
        return routingKey;
    }

    @Override
    public long occurredAtMillis() {
        return occurredAtMillis;
    }

    @Override
    public String toString() {
        return "LogRecord{seq=" + seq + ", eventId=" + eventId + ", eventType=" + eventType + '}';
    }
}
