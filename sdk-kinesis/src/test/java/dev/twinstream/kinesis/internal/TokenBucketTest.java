package dev.twinstream.kinesis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullSecondOfBudgetGoesAtOnceThenWritesWaitForTheRefill() {
        TokenBucket bucket = new TokenBucket(1000, 1_048_576, 0);
        assertThat(bucket.reserve(1000, 1000, 0)).isZero();
        assertThat(bucket.reserve(500, 500, 0)).isEqualTo(SECOND / 2);
        assertThat(bucket.reserve(500, 500, 0)).isEqualTo(SECOND); // queued behind the previous reservation
    }

    @Test
    void bytesBindWhenRecordsAreLarge() {
        TokenBucket bucket = new TokenBucket(1000, 1_048_576, 0);
        assertThat(bucket.reserve(1, 1_048_576, 0)).isZero();
        assertThat(bucket.reserve(1, 524_288, 0)).isEqualTo(SECOND / 2);
        assertThat(bucket.reserve(1, 1, 2 * SECOND)).isZero(); // refilled, never above one second's worth
    }

    @Test
    void penaltyPushesTheBudgetBack() {
        TokenBucket bucket = new TokenBucket(1000, 1_048_576, 0);
        bucket.penalize(SECOND, 0);
        assertThat(bucket.reserve(1, 1, 0)).isGreaterThanOrEqualTo(SECOND);
        assertThat(bucket.reserve(1, 1, 3 * SECOND)).isZero();
    }
}
