package dev.twinstream.core.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** One {@link RecordResult} per record of a {@link SinkBatch}, in batch order. Immutable. */
public final class BatchResult {
    private final RecordResult[] results;
    private final RecordResult uniform;
    private final int size;

    private BatchResult(RecordResult[] results, RecordResult uniform, int size) {
        this.results = results;
        this.uniform = uniform;
        this.size = size;
    }

    /** Every one of {@code size} records succeeded. */
    public static BatchResult allOk(int size) {
        return allFailed(size, RecordResult.ok());
    }

    /** Every one of {@code size} records has the same result (typically a whole-call failure). */
    public static BatchResult allFailed(int size, RecordResult result) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be at least 0 but was " + size);
        }
        return new BatchResult(null, Objects.requireNonNull(result, "result"), size);
    }

    /** The given results, one per record in batch order. */
    public static BatchResult of(List<RecordResult> results) {
        RecordResult[] copy = results.toArray(new RecordResult[0]);
        for (int i = 0; i < copy.length; i++) {
            Objects.requireNonNull(copy[i], "results[" + i + "]");
        }
        return new BatchResult(copy, null, copy.length);
    }

    /** Number of results. */
    public int size() {
        return size;
    }

    /** The result of the record at {@code index} in the batch. */
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
