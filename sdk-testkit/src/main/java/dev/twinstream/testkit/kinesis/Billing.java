package dev.twinstream.testkit.kinesis;

/** Billing counters of one {@link FakeKinesis} stream ({@link FakeKinesis#billing(String)}). Immutable. */
public final class Billing {
    private final long records;
    private final long bytes;
    private final long putPayloadUnits;
    private final long putCalls;

    Billing(long records, long bytes, long putPayloadUnits, long putCalls) {
        this.records = records;
        this.bytes = bytes;
        this.putPayloadUnits = putPayloadUnits;
        this.putCalls = putCalls;
    }

    /** {@return the Kinesis records accepted (an aggregated record counts once)} */
    public long records() {
        return records;
    }

    /** {@return the bytes accepted, data plus partition keys} */
    public long bytes() {
        return bytes;
    }

    /** {@return the PUT payload units: each record rounded up to 25 KiB chunks} */
    public long putPayloadUnits() {
        return putPayloadUnits;
    }

    /** {@return the accepted write calls ({@code PutRecord} and {@code PutRecords}) across all streams} */
    public long putCalls() {
        return putCalls;
    }

    @Override
    public String toString() {
        return "Billing{records=" + records + ", bytes=" + bytes + ", putPayloadUnits=" + putPayloadUnits
                + ", putCalls=" + putCalls + '}';
    }
}
