package dev.twinstream.kinesis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int MIB = 1_048_576;

    @Test
    void anIdleShardTakesAWriteAtOnceThenWritesArePaced() {
        TokenBucket bucket = new TokenBucket(1000, MIB, 0);
        assertThat(bucket.reserve(500, 500, 0)).isZero();
        assertThat(bucket.reserve(500, 500, 0)).isEqualTo(SECOND / 2);
        assertThat(bucket.reserve(1, 1, 0)).isEqualTo(SECOND); // queued behind the previous booking
    }

    @Test
    void bytesBindForLargeRecords() {
        TokenBucket bucket = new TokenBucket(1000, MIB, 0);
        assertThat(bucket.reserve(1, MIB, 0)).isZero();
        assertThat(bucket.reserve(1, MIB / 2, 0)).isEqualTo(SECOND);
        assertThat(bucket.reserve(1, 1, 10 * SECOND)).isZero(); // idle again: no saved-up burst needed
    }

    @Test
    void aBurstLetsOneWindowsRecordsGoAtOnce() {
        // 100,000 events/s of 250 bytes on 40 shards: 62.5 KB per shard per 100 ms batch, packed as
        // a 50 KiB and a 12.5 KiB record. Without a burst the second waits for the first's shard time.
        TokenBucket paced = new TokenBucket(1000, MIB, 0);
        assertThat(paced.reserve(1, 50 * 1024, 0)).isZero();
        assertThat(paced.reserve(1, 12_800, 0)).isPositive();
        TokenBucket burst = new TokenBucket(1000, MIB, SECOND / 2, 0);
        assertThat(burst.reserve(1, 50 * 1024, 0)).isZero();
        assertThat(burst.reserve(1, 12_800, 0)).isZero();
        // Over the burst, writes queue at the limit again: 64,000 bytes are booked (61 ms), so half
        // a second more fits only once those 61 ms have passed.
        long booked = 64_000L * SECOND / MIB;
        long wait = burst.reserve(1, MIB / 2, 0);
        assertThat(wait).isBetween(booked - 2, booked + 2);
        // A write larger than the burst waits until nothing is booked ahead of it.
        assertThat(burst.reserve(1, MIB, wait)).isBetween(SECOND / 2 + booked - wait - 2, SECOND / 2 + booked - wait + 2);
    }

    @Test
    void sendsNeverOverrunAOneSecondTokenBucketOfTheLimit() {
        sendsNeverOverrun(new TokenBucket(1000, MIB, 0));
    }

    @Test
    void sendsWithAHalfSecondBurstNeverOverrunAOneSecondTokenBucketOfTheLimit() {
        sendsNeverOverrun(new TokenBucket(1000, MIB, SECOND / 2, 0));
    }

    private static void sendsNeverOverrun(TokenBucket bucket) {
        Random random = new Random(3);
        int n = 3000;
        long[] at = new long[n];
        long[] size = new long[n];
        long now = 0;
        for (int i = 0; i < n; i++) {
            now += random.nextInt(3_000_000);
            size[i] = 1 + random.nextInt(random.nextBoolean() ? 1000 : MIB);
            at[i] = now + bucket.reserve(1, size[i], now);
        }
        // A service bucket (capacity 1 s of the limit, refilled at the limit) admits every send iff,
        // for every run of consecutive sends i..j, their bytes <= limit + limit * (t_j - t_i).
        for (int i = 0; i < n; i++) {
            long bytes = 0;
            for (int j = i; j < n; j++) {
                bytes += size[j];
                double allowed = MIB + MIB * ((at[j] - at[i]) / (double) SECOND);
                assertThat((double) bytes).as("bytes of sends %d..%d", i, j).isLessThanOrEqualTo(allowed + 1);
                assertThat((double) (j - i + 1)).isLessThanOrEqualTo(1000 + 1000 * ((at[j] - at[i]) / (double) SECOND) + 1);
            }
        }
    }

    @Test
    void penaltyPushesTheShardBack() {
        TokenBucket bucket = new TokenBucket(1000, MIB, 0);
        bucket.penalize(SECOND, 0);
        assertThat(bucket.reserve(1, 1, 0)).isEqualTo(SECOND);
        assertThat(bucket.reserve(1, 1, 3 * SECOND)).isZero();
    }
}
