package dev.twinstream.testkit.firehose;

/** A snapshot of one {@link FakeFirehose} delivery stream's counters ({@link FakeFirehose#stats(String)}). Immutable. */
public final class StreamStats {
    private final String stream;
    private final long records;
    private final long bytes;
    private final long billedBytes;
    private final long entriesReceived;
    private final long entriesFailed;
    private final long putCalls;
    private final long failedCalls;

    StreamStats(String stream, long records, long bytes, long billedBytes, long entriesReceived, long entriesFailed,
                long putCalls, long failedCalls) {
        this.stream = stream;
        this.records = records;
        this.bytes = bytes;
        this.billedBytes = billedBytes;
        this.entriesReceived = entriesReceived;
        this.entriesFailed = entriesFailed;
        this.putCalls = putCalls;
        this.failedCalls = failedCalls;
    }

    /** {@return the delivery stream} */
    public String stream() {
        return stream;
    }

    /** {@return the number of records accepted (billed)} */
    public long records() {
        return records;
    }

    /** {@return the bytes of the records accepted} */
    public long bytes() {
        return bytes;
    }

    /**
     * {@return the billed ingestion bytes: each accepted record rounded up to
     * {@value FakeFirehose#BILLING_INCREMENT_BYTES}}
     */
    public long billedBytes() {
        return billedBytes;
    }

    /** {@return the entries received in valid put calls that were not failed as a whole, accepted or failed} */
    public long entriesReceived() {
        return entriesReceived;
    }

    /** {@return the entries that failed (injected per-entry failures and throttling)} */
    public long entriesFailed() {
        return entriesFailed;
    }

    /** {@return the valid put calls to this stream, including those failed as a whole} */
    public long putCalls() {
        return putCalls;
    }

    /** {@return the put calls failed as a whole (throttling, injected errors)} */
    public long failedCalls() {
        return failedCalls;
    }

    @Override
    public String toString() {
        return "StreamStats{" + stream + ": records=" + records + ", bytes=" + bytes + ", billedBytes=" + billedBytes
                + ", entriesReceived=" + entriesReceived + ", entriesFailed=" + entriesFailed + ", putCalls=" + putCalls
                + ", failedCalls=" + failedCalls + '}';
    }
}
