package dev.twinstream.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.twinstream.core.spi.BatchResult;
import dev.twinstream.core.spi.RecordResult;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkBatch;
import dev.twinstream.core.spi.SinkLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The suite every {@link Sink} implementation passes: extend it in the sink's tests and implement
 * {@link #createSink()} and {@link #deliveredPayloads(Sink)}; override the failure-injection hooks
 * if the sink's destination can fail on command (tests that need them are skipped otherwise).
 *
 * <p>Checks the {@link Sink} contract: sane limits, full batches accepted, exactly one result per
 * record in batch order, failures classified with a code, nothing stored for a failed record,
 * nothing lost or invented across retries, and payloads copied rather than kept by reference.
 *
 * <p>Results are awaited through {@link #await(Sink, CompletionStage)}, which waits at most
 * {@link #sendTimeout()} of real time; a sink whose calls complete on virtual time overrides it to
 * drive its scheduler. Payloads are compared as multisets of byte arrays. Test batches stay below
 * {@value #MAX_TEST_BATCH_BYTES} bytes whatever the sink's limits.
 */
public abstract class SinkCompatibilityKit {

    /** The most payload bytes one test batch holds, to keep memory modest: 8 MiB. */
    protected static final long MAX_TEST_BATCH_BYTES = 8L * 1024 * 1024;
    /** The largest single record the kit sends at {@code maxBytesPerRecord}: 16 MiB. */
    protected static final int MAX_TEST_RECORD_BYTES = 16 * 1024 * 1024;

    private static final int FAILURE_TEST_RECORDS = 100;
    private static final double RETRYABLE_FRACTION = 0.3;
    private static final int MAX_RESEND_ROUNDS = 40;

    /** The sink under test, created before each test by {@link #createSink()}. */
    protected Sink sink;

    /** Creates the kit. */
    protected SinkCompatibilityKit() {}

    /**
     * A new sink, with its own empty destination, for one test. The kit closes it after the test.
     *
     * @return the sink
     */
    protected abstract Sink createSink();

    /**
     * What the destination behind {@code sink} really stored so far, in any order.
     *
     * @param sink a sink created by {@link #createSink()}
     * @return the stored payloads
     */
    protected abstract List<byte[]> deliveredPayloads(Sink sink);

    /**
     * Makes each record of later calls fail with a RETRYABLE result with probability
     * {@code fraction}. The default skips the test that calls it.
     *
     * @param sink a sink created by {@link #createSink()}
     * @param fraction between 0 and 1
     */
    protected void injectRetryableFailures(Sink sink, double fraction) {
        Assumptions.abort(getClass().getSimpleName() + ": this sink does not support injecting retryable failures");
    }

    /**
     * Makes every record of later calls fail with a PERMANENT result. The default skips the test
     * that calls it.
     *
     * @param sink a sink created by {@link #createSink()}
     */
    protected void injectPermanentFailures(Sink sink) {
        Assumptions.abort(getClass().getSimpleName() + ": this sink does not support injecting permanent failures");
    }

    /**
     * How long {@link #await} waits for one call in real time; 30 seconds by default.
     *
     * @return the bound
     */
    protected Duration sendTimeout() {
        return Duration.ofSeconds(30);
    }

    /**
     * Waits for the outcome of one {@link Sink#send} call. The default waits at most
     * {@link #sendTimeout()} of real time; override it to drive a virtual scheduler instead.
     *
     * @param sink the sink the call went to
     * @param stage what {@code send} returned
     * @return the result
     * @throws AssertionError if the call completed exceptionally or not in time
     */
    protected BatchResult await(Sink sink, CompletionStage<BatchResult> stage) {
        Duration timeout = sendTimeout();
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for send to complete", e);
        } catch (ExecutionException e) {
            throw new AssertionError("send completed exceptionally: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("send did not complete within " + timeout, e);
        }
    }

    @BeforeEach
    final void createSinkUnderTest() {
        sink = createSink();
        assertThat(sink).as("createSink()").isNotNull();
    }

    @AfterEach
    final void closeSinkUnderTest() {
        if (sink != null) {
            sink.close();
        }
    }

    // ---- tests ---------------------------------------------------------------------------------

    @Test
    @DisplayName("limits are sane: at least 1 and a record fits in a batch")
    final void limitsAreSane() {
        SinkLimits limits = sink.limits();
        assertThat(limits).as("limits()").isNotNull();
        assertThat(limits.maxRecordsPerBatch()).as("maxRecordsPerBatch").isGreaterThanOrEqualTo(1);
        assertThat(limits.maxBytesPerRecord()).as("maxBytesPerRecord").isGreaterThanOrEqualTo(1);
        assertThat((long) limits.maxBytesPerRecord()).as("maxBytesPerRecord compared with maxBytesPerBatch")
                .isLessThanOrEqualTo(limits.maxBytesPerBatch());
        SinkLimits again = sink.limits();
        assertThat(new long[] {again.maxRecordsPerBatch(), again.maxBytesPerBatch(), again.maxBytesPerRecord()})
                .as("limits() must be constant: %s then %s", limits, again)
                .containsExactly(limits.maxRecordsPerBatch(), limits.maxBytesPerBatch(), limits.maxBytesPerRecord());
    }

    @Test
    @DisplayName("a batch of maxRecordsPerBatch small records is accepted in full, in order")
    final void fullBatchOfSmallRecordsIsAcceptedInOrder() {
        SinkLimits limits = sink.limits();
        int count = limits.maxRecordsPerBatch();
        long perRecord = Math.min(Math.min(64, limits.maxBytesPerRecord()),
                Math.min(limits.maxBytesPerBatch(), MAX_TEST_BATCH_BYTES) / count);
        Assumptions.assumeTrue(perRecord >= 1, "maxRecordsPerBatch is too large to test with 1-byte records");
        List<byte[]> payloads = TestBatches.payloads(count, (int) perRecord);

        BatchResult result = sendAndAwait(TestBatches.of(payloads));

        assertAllOk(result, count);
        assertDeliveredExactly(payloads);
    }

    @Test
    @DisplayName("a batch near maxBytesPerBatch (at most 8 MiB) is accepted in full, in order")
    final void batchNearMaxBytesIsAcceptedInOrder() {
        SinkLimits limits = sink.limits();
        long total = Math.min(limits.maxBytesPerBatch(), MAX_TEST_BATCH_BYTES);
        int recordSize = (int) Math.min(limits.maxBytesPerRecord(), total);
        int count = (int) Math.min(limits.maxRecordsPerBatch(), total / recordSize);
        List<byte[]> payloads = TestBatches.payloads(count, recordSize);
        long remainder = total - (long) count * recordSize;
        if (remainder > 0 && count < limits.maxRecordsPerBatch()) {
            payloads.add(TestBatches.payload(count, (int) remainder));
        }

        BatchResult result = sendAndAwait(TestBatches.of(payloads));

        assertAllOk(result, payloads.size());
        assertDeliveredExactly(payloads);
    }

    @Test
    @DisplayName("a record of exactly maxBytesPerRecord is accepted")
    final void recordOfExactlyMaxBytesPerRecordIsAccepted() {
        int max = sink.limits().maxBytesPerRecord();
        Assumptions.assumeTrue(max <= MAX_TEST_RECORD_BYTES,
                "maxBytesPerRecord " + max + " is above what the kit sends (" + MAX_TEST_RECORD_BYTES + ")");
        List<byte[]> payloads = TestBatches.payloads(1, max);

        BatchResult result = sendAndAwait(TestBatches.of(payloads));

        assertAllOk(result, 1);
        assertDeliveredExactly(payloads);
    }

    @Test
    @DisplayName("with retryable failures, results are per record and in order, and only OK records are stored")
    final void resultsArePerRecordInOrderWhenSomeFail() {
        injectRetryableFailures(sink, RETRYABLE_FRACTION);
        List<byte[]> payloads = smallPayloads(FAILURE_TEST_RECORDS);

        BatchResult result = sendAndAwait(TestBatches.of(payloads));

        assertThat(result.size()).as("number of results for a batch of %d records", payloads.size())
                .isEqualTo(payloads.size());
        List<byte[]> expectedStored = new ArrayList<>();
        int failures = 0;
        for (int i = 0; i < payloads.size(); i++) {
            RecordResult r = result.get(i);
            if (r.isOk()) {
                expectedStored.add(payloads.get(i));
            } else {
                failures++;
                assertThat(r.status()).as("status of failed record %d (%s)", i, r)
                        .isEqualTo(RecordResult.Status.RETRYABLE);
                assertThat(r.code()).as("error code of failed record %d", i).isNotNull();
            }
        }
        assertThat(failures).as("records failed after injectRetryableFailures(sink, %s) on %d records",
                RETRYABLE_FRACTION, payloads.size()).isGreaterThan(0);
        // Per-record order: exactly the payloads at OK positions are stored, none at failed ones.
        assertDeliveredExactly(expectedStored);
    }

    @Test
    @DisplayName("permanent failures are PERMANENT with a code, and nothing is stored for them")
    final void permanentFailuresAreReportedAndNotStored() {
        injectPermanentFailures(sink);
        List<byte[]> payloads = smallPayloads(10);

        BatchResult result = sendAndAwait(TestBatches.of(payloads));

        assertThat(result.size()).as("number of results").isEqualTo(payloads.size());
        for (int i = 0; i < result.size(); i++) {
            RecordResult r = result.get(i);
            assertThat(r.status()).as("status of record %d (%s)", i, r).isEqualTo(RecordResult.Status.PERMANENT);
            assertThat(r.code()).as("error code of record %d", i).isNotNull();
        }
        assertDeliveredExactly(List.of());
    }

    @Test
    @DisplayName("resending the records that failed stores every record exactly once")
    final void resendingFailedRecordsStoresEveryRecordExactlyOnce() {
        injectRetryableFailures(sink, RETRYABLE_FRACTION);
        List<byte[]> payloads = smallPayloads(50);

        SinkBatch batch = TestBatches.of(payloads);
        int rounds = 0;
        while (true) {
            BatchResult result = sendAndAwait(batch);
            assertThat(result.size()).as("number of results in round %d", rounds).isEqualTo(batch.size());
            for (int i = 0; i < result.size(); i++) {
                assertThat(result.get(i).status()).as("status of record %s in round %d", batch.eventId(i), rounds)
                        .isNotEqualTo(RecordResult.Status.PERMANENT);
            }
            List<Integer> retry = TestBatches.retryableIndexes(result);
            if (retry.isEmpty()) {
                break;
            }
            rounds++;
            if (rounds > MAX_RESEND_ROUNDS) {
                fail("%d records still failed after %d resends", retry.size(), MAX_RESEND_ROUNDS);
            }
            batch = TestBatches.subset(batch, retry);
        }
        assertDeliveredExactly(payloads);
    }

    @Test
    @DisplayName("payloads are copied: changing the batch's arrays after the call changes nothing stored")
    final void payloadsAreCopiedNotKept() {
        List<byte[]> payloads = smallPayloads(5);
        List<byte[]> originals = new ArrayList<>();
        for (byte[] p : payloads) {
            originals.add(p.clone());
        }

        BatchResult result = sendAndAwait(TestBatches.of(payloads));
        for (byte[] p : payloads) {
            Arrays.fill(p, (byte) '#');
        }

        assertAllOk(result, payloads.size());
        assertDeliveredExactly(originals);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Sends {@code batch} to the sink under test and awaits the result with {@link #await}.
     *
     * @param batch the batch
     * @return the result
     */
    protected final BatchResult sendAndAwait(SinkBatch batch) {
        CompletionStage<BatchResult> stage = sink.send(batch);
        assertThat(stage).as("send(...) returned").isNotNull();
        BatchResult result = await(sink, stage);
        assertThat(result).as("result of send(...)").isNotNull();
        return result;
    }

    /**
     * Asserts that the destination stored exactly {@code expected}, as a multiset: nothing lost,
     * nothing duplicated, nothing invented.
     *
     * @param expected the payloads that must be stored
     */
    protected final void assertDeliveredExactly(List<byte[]> expected) {
        List<byte[]> delivered = deliveredPayloads(sink);
        assertThat(delivered).as("deliveredPayloads(sink)").isNotNull();
        Map<PayloadKey, Integer> missing = countByContent(expected);
        List<PayloadKey> unexpected = new ArrayList<>();
        for (byte[] payload : delivered) {
            PayloadKey key = new PayloadKey(payload);
            Integer left = missing.get(key);
            if (left == null) {
                unexpected.add(key);
            } else if (left == 1) {
                missing.remove(key);
            } else {
                missing.put(key, left - 1);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            fail("expected the destination to store exactly %d payloads (as a multiset) but it stored %d;%n"
                    + "  missing (payload=times): %s%n  unexpected or duplicated: %s",
                    expected.size(), delivered.size(), limit(missing.entrySet()), limit(unexpected));
        }
    }

    private void assertAllOk(BatchResult result, int size) {
        assertThat(result.size()).as("number of results").isEqualTo(size);
        for (int i = 0; i < size; i++) {
            assertThat(result.get(i).isOk()).as("record %d was not accepted: %s", i, result.get(i)).isTrue();
        }
    }

    private List<byte[]> smallPayloads(int wanted) {
        SinkLimits limits = sink.limits();
        int count = Math.min(wanted, limits.maxRecordsPerBatch());
        int size = (int) Math.max(1, Math.min(Math.min(64, limits.maxBytesPerRecord()), limits.maxBytesPerBatch() / count));
        return TestBatches.payloads(count, size);
    }

    private static Map<PayloadKey, Integer> countByContent(List<byte[]> payloads) {
        Map<PayloadKey, Integer> counts = new HashMap<>();
        for (byte[] payload : payloads) {
            counts.merge(new PayloadKey(payload), 1, Integer::sum);
        }
        return counts;
    }

    private static String limit(Iterable<?> items) {
        StringBuilder text = new StringBuilder("[");
        int n = 0;
        for (Object item : items) {
            if (n == 10) {
                text.append(", …");
                break;
            }
            text.append(n++ == 0 ? "" : ", ").append(item);
        }
        return text.append(']').toString();
    }

    /** A payload compared by content, printed as its length and first bytes. */
    private static final class PayloadKey {
        private final byte[] bytes;
        private final int hash;

        PayloadKey(byte[] bytes) {
            this.bytes = bytes.clone();
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof PayloadKey && Arrays.equals(bytes, ((PayloadKey) o).bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            int shown = Math.min(bytes.length, 24);
            return "\"" + new String(bytes, 0, shown, StandardCharsets.ISO_8859_1)
                    + (shown < bytes.length ? "…" : "") + "\"(" + bytes.length + " bytes)";
        }
    }
}
