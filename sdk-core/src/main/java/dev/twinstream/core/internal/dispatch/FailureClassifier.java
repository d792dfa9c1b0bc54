package dev.twinstream.core.internal.dispatch;

import dev.twinstream.core.spi.RecordResult;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place that decides what happens to a record after a send: delivered, retried, or
 * dead-lettered, and for a whole call that failed with an exception, whether that is retryable.
 * Sinks map their service's error codes to {@link RecordResult} statuses; this class applies the
 * retry budget to them.
 */
final class FailureClassifier {

    /** What to do with one record after one attempt. */
    enum Disposition {
        DELIVERED,
        RETRY,
        DEAD_LETTER_PERMANENT,
        DEAD_LETTER_MAX_ATTEMPTS,
        DEAD_LETTER_TIMEOUT
    }

    /** Error code for a sink that answered with the wrong number of results. */
    static final String CONTRACT_VIOLATION = "SinkContractViolation";

    private FailureClassifier() {}

    /**
     * Decides after {@code attempt} attempts, the record being {@code ageNanos} old.
     *
     * @param deliveryTimeoutNanos 0 for none
     */
    static Disposition decide(RecordResult result, int attempt, int maxAttempts, long ageNanos, long deliveryTimeoutNanos) {
        switch (result.status()) {
            case OK:
                return Disposition.DELIVERED;
            case PERMANENT:
                return Disposition.DEAD_LETTER_PERMANENT;
            default:
                if (attempt >= maxAttempts) {
                    return Disposition.DEAD_LETTER_MAX_ATTEMPTS;
                }
                if (isExpired(ageNanos, deliveryTimeoutNanos)) {
                    return Disposition.DEAD_LETTER_TIMEOUT;
                }
                return Disposition.RETRY;
        }
    }

    static boolean isExpired(long ageNanos, long deliveryTimeoutNanos) {
        return deliveryTimeoutNanos > 0 && ageNanos >= deliveryTimeoutNanos;
    }

    /**
     * Classifies an exception that failed a whole {@code send} call. Programming errors in the sink
     * (bad arguments, nulls, unsupported operations) will fail again on retry, so they are
     * permanent; everything else (I/O, timeouts, unknown service faults) is presumed transient:
     * retrying is bounded by the retry policy, and dropping would lose data.
     */
    static RecordResult classify(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        String code = e.getClass().getSimpleName();
        String message = String.valueOf(e.getMessage());
        if (e instanceof IllegalArgumentException || e instanceof NullPointerException
                || e instanceof UnsupportedOperationException || e instanceof ClassCastException
                || e instanceof IndexOutOfBoundsException || e instanceof Error) {
            return RecordResult.permanent(code, message);
        }
        return RecordResult.retryable(code, message);
    }

    /** The result for every record of a call whose sink answered with {@code actual} results for {@code expected} records. */
    static RecordResult contractViolation(int expected, int actual) {
        return RecordResult.retryable(CONTRACT_VIOLATION,
                "sink returned " + actual + " results for a batch of " + expected + " records");
    }
}
