package dev.twinstream.core.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** One {@link RecordResult} per record of a {@link SinkBatch}, in batch order. Immutable. */
public final class BatchResult {
    /** The results in batch order; null when {@code uniform} is set. */
    private final RecordResult @Nullable [] results;
    /** The result of every record; null when {@code results} is set. */
    private final @Nullable RecordResult uniform;
    private final int size;

    private BatchResult(RecordResult @Nullable [] results, @Nullable RecordResult uniform, int size) {
        this.results = results;
        this.uniform = uniform;
        this.size = size;
    }

    /**
     * Every one of {@code size} records succeeded.
     *
     * @param size the number of records in the batch
     * @return the result
     */
    public static BatchResult allOk(int size) {
        return allFailed(size, RecordResult.ok());
    }

    /**
     * Every one of {@code size} records was accepted by {@code destination}: what a sink with a
     * single destination (a Kinesis stream) answers, so the delivery ledger names it.
     *
     * @param size the number of records in the batch
     * @param destination the destination's name, not empty
     * @return the result
     * @throws IllegalArgumentException if {@code size} is negative or {@code destination} empty
     */
    public static BatchResult allOk(int size, String destination) {
        return allFailed(size, RecordResult.ok(destination));
    }

    /**
     * Every one of {@code size} records has the same result (typically a whole-call failure).
     *
     * @param size the number of records in the batch, at least 0
     * @param result the result of every record
     * @return the batch result
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public static BatchResult allFailed(int size, RecordResult result) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be at least 0 but was " + size);
        }
        return new BatchResult(null, Objects.requireNonNull(result, "result"), size);
    }

    /**
     * The given results, one per record in batch order.
     *
     * @param results the results; copied
     * @return the batch result
     * @throws NullPointerException if a result is null
     */
    public static BatchResult of(List<RecordResult> results) {
        RecordResult[] copy = results.toArray(new RecordResult[0]);
        for (int i = 0; i < copy.length; i++) {
            Objects.requireNonNull(copy[i], "results[" + i + "]");
        }
        return new BatchResult(copy, null, copy.length);
    }

    /** {@return the number of results} */
    public int size() {
        return size;
    }

    /**
     * The result of the record at {@code index} in the batch.
     *
     * @param index the record's position in the batch
     * @return its result
     * @throws IndexOutOfBoundsException if {@code index} is not below {@link #size()}
     */
    public RecordResult get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside 0.." + (size - 1));
        }
        return uniform != null ? uniform : results[index];
    }

    @Override
    public String toString() {
        return uniform != null ? "BatchResult{" + size + " x " + uniform + "}" : "BatchResult" + Arrays.toString(results);
    }
}
