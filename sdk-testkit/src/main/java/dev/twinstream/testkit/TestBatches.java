package dev.twinstream.testkit;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.SinkBatch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Builds {@link SinkBatch} instances for sink tests, without a tracker.
 *
 * <p>{@link #of(List)} numbers the records from 0: event ids {@code evt-<n>}, event type
 * {@value #EVENT_TYPE}, partition keys {@code pk-<n>}, attempt 1. {@link #subset} picks records of
 * a batch again for a resend, with the attempt increased by one. Batches built here are immutable
 * and keep the payload arrays they were given (do not modify them while a call is in flight).
 */
public final class TestBatches {

    /** The event type of records built by {@link #of(List)}. */
    public static final String EVENT_TYPE = "test";

    private TestBatches() {}

    /**
     * A batch of {@code payloads} in order, numbered from 0.
     *
     * @param payloads at least one
     * @return the batch
     * @throws IllegalArgumentException if {@code payloads} is empty
     */
    public static SinkBatch of(List<byte[]> payloads) {
        Builder builder = builder();
        for (int i = 0; i < payloads.size(); i++) {
            builder.add("evt-" + i, EVENT_TYPE, "pk-" + i, payloads.get(i), 1);
        }
        return builder.build();
    }

    /**
     * A batch of {@code payloads} in order, numbered from 0.
     *
     * @param payloads at least one
     * @return the batch
     * @throws IllegalArgumentException if no payload is given
     */
    public static SinkBatch of(byte[]... payloads) {
        return of(Arrays.asList(payloads));
    }

    /**
     * A batch of the UTF-8 encodings of {@code payloads}, numbered from 0.
     *
     * @param payloads at least one
     * @return the batch
     * @throws IllegalArgumentException if no payload is given
     */
    public static SinkBatch ofUtf8(String... payloads) {
        List<byte[]> bytes = new ArrayList<>(payloads.length);
        for (String payload : payloads) {
            bytes.add(payload.getBytes(StandardCharsets.UTF_8));
        }
        return of(bytes);
    }

    /**
     * The records of {@code batch} at {@code indexes}, in the given order, with the same ids, types,
     * keys and payloads and the attempt increased by one: what a dispatcher resends.
     *
     * @param batch the batch sent before
     * @param indexes positions in {@code batch}, at least one
     * @return the new batch
     * @throws IllegalArgumentException if {@code indexes} is empty
     * @throws IndexOutOfBoundsException if an index is outside {@code batch}
     */
    public static SinkBatch subset(SinkBatch batch, List<Integer> indexes) {
        Builder builder = builder();
        for (int index : indexes) {
            if (index < 0 || index >= batch.size()) {
                throw new IndexOutOfBoundsException("index " + index + " outside 0.." + (batch.size() - 1));
            }
            builder.add(batch.eventId(index), batch.eventType(index), batch.partitionKey(index),
                    batch.payload(index), batch.attempt(index) + 1);
        }
        return builder.build();
    }

    /**
     * The positions whose result is RETRYABLE, in batch order: the records to resend.
     *
     * @param result the result of a call
     * @return the positions, possibly empty
     */
    public static List<Integer> retryableIndexes(BatchResult result) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < result.size(); i++) {
            if (result.get(i).status() == RecordResult.Status.RETRYABLE) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    /**
     * {@code count} distinct payloads of exactly {@code size} printable ASCII bytes each; payload
     * {@code n} starts with {@code p<n>-}, so payloads are distinct as long as {@code size} leaves
     * room for that prefix.
     *
     * @param count how many, at least 0
     * @param size bytes per payload, at least 1
     * @return new arrays, one per payload
     * @throws IllegalArgumentException if {@code count} is negative or {@code size} is below 1
     */
    public static List<byte[]> payloads(int count, int size) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be at least 0 but was " + count);
        }
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1 but was " + size);
        }
        List<byte[]> payloads = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            payloads.add(payload(n, size));
        }
        return payloads;
    }

    /**
     * One payload of exactly {@code size} printable ASCII bytes starting with {@code p<n>-}; the
     * rest is a pattern derived from {@code n}.
     *
     * @param n distinguishes payloads
     * @param size bytes, at least 1
     * @return a new array
     * @throws IllegalArgumentException if {@code size} is below 1
     */
    public static byte[] payload(int n, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1 but was " + size);
        }
        byte[] payload = new byte[size];
        byte[] prefix = ("p" + n + "-").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(prefix, 0, payload, 0, Math.min(prefix.length, size));
        for (int i = prefix.length; i < size; i++) {
            payload[i] = (byte) ('a' + (i + n) % 26);
        }
        return payload;
    }

    /** {@return a builder for batches with chosen ids, types, keys and attempts} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a batch record by record. Not thread-safe. */
    public static final class Builder {
        private final List<String> eventIds = new ArrayList<>();
        private final List<String> eventTypes = new ArrayList<>();
        private final List<String> partitionKeys = new ArrayList<>();
        private final List<byte[]> payloads = new ArrayList<>();
        private final List<Integer> attempts = new ArrayList<>();

        private Builder() {}

        /**
         * Adds one record.
         *
         * @param eventId the event id
         * @param eventType the event type
         * @param partitionKey the partition key
         * @param payload the payload, kept as is (not copied)
         * @param attempt 1 for a first attempt
         * @return this builder
         */
        public Builder add(String eventId, String eventType, String partitionKey, byte[] payload, int attempt) {
            eventIds.add(Objects.requireNonNull(eventId, "eventId"));
            eventTypes.add(Objects.requireNonNull(eventType, "eventType"));
            partitionKeys.add(partitionKey);
            payloads.add(Objects.requireNonNull(payload, "payload"));
            attempts.add(attempt);
            return this;
        }

        /**
         * Creates the batch.
         *
         * @return the batch
         * @throws IllegalArgumentException if no record was added (a {@link SinkBatch} is never empty)
         */
        public SinkBatch build() {
            if (payloads.isEmpty()) {
                throw new IllegalArgumentException("a SinkBatch must hold at least 1 record but this one has 0");
            }
            return new ListBatch(this);
        }
    }

    /** An immutable batch backed by lists. */
    private static final class ListBatch implements SinkBatch {
        private final List<String> eventIds;
        private final List<String> eventTypes;
        private final List<String> partitionKeys;
        private final List<byte[]> payloads;
        private final int[] attempts;
        private final long totalBytes;

        ListBatch(Builder builder) {
            this.eventIds = Collections.unmodifiableList(new ArrayList<>(builder.eventIds));
            this.eventTypes = Collections.unmodifiableList(new ArrayList<>(builder.eventTypes));
            this.partitionKeys = Collections.unmodifiableList(new ArrayList<>(builder.partitionKeys));
            this.payloads = Collections.unmodifiableList(new ArrayList<>(builder.payloads));
            this.attempts = builder.attempts.stream().mapToInt(Integer::intValue).toArray();
            long bytes = 0;
            for (byte[] payload : payloads) {
                bytes += payload.length;
            }
            this.totalBytes = bytes;
        }

        @Override
        public int size() {
            return payloads.size();
        }

        @Override
        public long totalBytes() {
            return totalBytes;
        }

        @Override
        public byte[] payload(int index) {
            return payloads.get(index);
        }

        @Override
        public String eventId(int index) {
            return eventIds.get(index);
        }

        @Override
        public String eventType(int index) {
            return eventTypes.get(index);
        }

        @Override
        public String partitionKey(int index) {
            return partitionKeys.get(index);
        }

        @Override
        public int attempt(int index) {
            return attempts[index];
        }

        @Override
        public String toString() {
            return "TestBatch{size=" + size() + ", totalBytes=" + totalBytes + ", firstEventId=" + eventIds.get(0) + '}';
        }
    }
}
