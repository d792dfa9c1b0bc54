package dev.twinstream.core.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.internal.dispatch.FailureClassifier.Disposition;
import dev.twinstream.core.spi.RecordResult;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class BackoffAndClassifierTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void backoffCeilingDoublesThenCaps() {
        Backoff backoff = new Backoff(100 * MS, 1_000 * MS);
        assertThat(backoff.ceilingNanos(1)).isEqualTo(100 * MS);
        assertThat(backoff.ceilingNanos(2)).isEqualTo(200 * MS);
        assertThat(backoff.ceilingNanos(3)).isEqualTo(400 * MS);
        assertThat(backoff.ceilingNanos(4)).isEqualTo(800 * MS);
        assertThat(backoff.ceilingNanos(5)).isEqualTo(1_000 * MS);
        assertThat(backoff.ceilingNanos(1_000)).isEqualTo(1_000 * MS);
        assertThat(new Backoff(Long.MAX_VALUE / 3, Long.MAX_VALUE).ceilingNanos(64)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void fullJitterStaysWithinZeroAndTheCeilingAndSpreads() {
        Backoff backoff = new Backoff(100 * MS, 1_000 * MS);
        Random random = new Random(42);
        for (int attempt = 1; attempt <= 8; attempt++) {
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < 2_000; i++) {
                long d = backoff.delayNanos(attempt, random);
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            long ceiling = backoff.ceilingNanos(attempt);
            assertThat(min).isGreaterThanOrEqualTo(0).isLessThan(ceiling / 10);
            assertThat(max).isLessThanOrEqualTo(ceiling).isGreaterThan(ceiling * 9 / 10);
        }
    }

    @Test
    void recordResultsAreDecidedByStatusAttemptsAndAge() {
        RecordResult retryable = RecordResult.retryable("Throttled", "slow down");
        assertThat(FailureClassifier.decide(RecordResult.ok(), 9, 3, 0, 0)).isEqualTo(Disposition.DELIVERED);
        assertThat(FailureClassifier.decide(RecordResult.permanent("Bad", "no"), 1, 3, 0, 0))
                .isEqualTo(Disposition.DEAD_LETTER_PERMANENT);
        assertThat(FailureClassifier.decide(retryable, 1, 3, 0, 0)).isEqualTo(Disposition.RETRY);
        assertThat(FailureClassifier.decide(retryable, 3, 3, 0, 0)).isEqualTo(Disposition.DEAD_LETTER_MAX_ATTEMPTS);
        assertThat(FailureClassifier.decide(retryable, 1, 3, 5 * MS, 5 * MS)).isEqualTo(Disposition.DEAD_LETTER_TIMEOUT);
        assertThat(FailureClassifier.decide(retryable, 1, 3, 4 * MS, 5 * MS)).isEqualTo(Disposition.RETRY);
        assertThat(FailureClassifier.decide(retryable, 1, 3, Long.MAX_VALUE, 0)).as("no timeout").isEqualTo(Disposition.RETRY);
    }

    @Test
    void exceptionsFromSendAreRetryableUnlessTheyAreProgrammingErrors() {
        assertThat(FailureClassifier.classify(new IOException("reset")).status()).isEqualTo(RecordResult.Status.RETRYABLE);
        assertThat(FailureClassifier.classify(new CompletionException(new TimeoutException("slow"))))
                .satisfies(r -> {
                    assertThat(r.status()).isEqualTo(RecordResult.Status.RETRYABLE);
                    assertThat(r.code()).isEqualTo("TimeoutException");
                    assertThat(r.message()).isEqualTo("slow");
                });
        assertThat(FailureClassifier.classify(new IllegalStateException("closed")).status()).isEqualTo(RecordResult.Status.RETRYABLE);
        assertThat(FailureClassifier.classify(new IllegalArgumentException("bad")).status()).isEqualTo(RecordResult.Status.PERMANENT);
        assertThat(FailureClassifier.classify(new NullPointerException()).status()).isEqualTo(RecordResult.Status.PERMANENT);
        assertThat(FailureClassifier.classify(new UnsupportedOperationException()).status()).isEqualTo(RecordResult.Status.PERMANENT);
        assertThat(FailureClassifier.contractViolation(3, 2))
                .satisfies(r -> {
                    assertThat(r.status()).isEqualTo(RecordResult.Status.RETRYABLE);
                    assertThat(r.code()).isEqualTo("SinkContractViolation");
                    assertThat(r.message()).isEqualTo("sink returned 2 results for a batch of 3 records");
                });
    }
}
