package dev.twinstream.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The ledger's value types: the digest term, buckets by UTC hour, the builder, and the comparison. */
class DeliveryLedgerTest {
    private static final Instant TEN = Instant.parse("2026-11-22T10:00:00Z");
    private static final Instant ELEVEN = Instant.parse("2026-11-22T11:00:00Z");

    @Test
    void theDigestTermIsTheFirstEightHexDigitsOfTheMd5AsAnUnsignedNumber() throws Exception {
        assertThat(DeliveryLedger.digestTerm("abc")).as("MD5(abc) = 900150983cd24fb0…").isEqualTo(0x90015098L);
        assertThat(DeliveryLedger.digestTerm("")).as("MD5() = d41d8cd98f00b204…").isEqualTo(0xd41d8cd9L);
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            String id = i % 2 == 0 ? UUID.randomUUID().toString() : randomText(random, random.nextInt(120));
            byte[] md5 = MessageDigest.getInstance("MD5").digest(id.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : md5) {
                hex.append(String.format("%02x", b & 0xFF));
            }
            assertThat(DeliveryLedger.digestTerm(id)).as("term of %s", id)
                    .isEqualTo(Long.parseLong(hex.substring(0, 8), 16))
                    .isBetween(0L, 0xFFFFFFFFL);
        }
    }

    private static String randomText(Random random, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            s.append((char) (random.nextBoolean() ? 'a' + random.nextInt(26) : 0x400 + random.nextInt(200)));
        }
        return s.toString();
    }

    @Test
    void theDigestDoesNotDependOnOrderAndADuplicateIdCountsOnce() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            ids.add(UUID.nameUUIDFromBytes(("event-" + i).getBytes(StandardCharsets.UTF_8)).toString());
        }
        DeliveryLedger inOrder = ledgerOf(ids);
        List<String> shuffledWithDuplicates = new ArrayList<>(ids);
        shuffledWithDuplicates.addAll(ids.subList(0, 100)); // a resend, a replay
        Collections.shuffle(shuffledWithDuplicates, new Random(7));
        DeliveryLedger shuffled = ledgerOf(shuffledWithDuplicates);

        assertThat(shuffled).isEqualTo(inOrder);
        assertThat(inOrder.buckets()).hasSize(1);
        LedgerBucket bucket = inOrder.buckets().get(0);
        assertThat(bucket.count()).isEqualTo(500);
        assertThat(bucket.digest()).isEqualTo(ids.stream().mapToLong(DeliveryLedger::digestTerm).sum());
        assertThat(DeliveryLedger.compare(inOrder, shuffled).isClean()).isTrue();
    }

    private static DeliveryLedger ledgerOf(List<String> ids) {
        DeliveryLedger.Builder b = DeliveryLedger.builder();
        for (String id : ids) {
            b.add("backup", "page_view", TEN.plusSeconds(Math.floorMod(id.hashCode(), 3600)), id);
        }
        return b.build();
    }

    @Test
    void bucketsAreUtcHoursThatStartAtTheFullHour() {
        assertThat(LedgerBucket.hourOf(Instant.parse("2026-11-22T10:59:59.999Z"))).isEqualTo(TEN);
        assertThat(LedgerBucket.hourOf(Instant.parse("2026-11-22T11:00:00.000Z"))).isEqualTo(ELEVEN);
        assertThat(LedgerBucket.hourOf(Instant.parse("2026-11-22T11:00:00.001Z"))).isEqualTo(ELEVEN);
        assertThat(LedgerBucket.hourOf(Instant.parse("1969-12-31T23:30:00Z"))).isEqualTo(Instant.parse("1969-12-31T23:00:00Z"));

        DeliveryLedger ledger = DeliveryLedger.builder()
                .add("s", "t", Instant.parse("2026-11-22T10:59:59.999Z"), "a")
                .add("s", "t", Instant.parse("2026-11-22T11:00:00.000Z"), "b")
                .add("s", "t", Instant.parse("2026-11-22T11:30:00Z"), "c")
                .add("s", "u", Instant.parse("2026-11-22T11:30:00Z"), "d")
                .add("r", "t", Instant.parse("2026-11-22T11:30:00Z"), "e")
                .build();
        assertThat(ledger.buckets()).extracting(b -> b.hour() + " " + b.destination() + " " + b.eventType() + " " + b.count())
                .containsExactly(TEN + " s t 1", ELEVEN + " r t 1", ELEVEN + " s t 2", ELEVEN + " s u 1");
        assertThat(ledger.bucket("s", "t", ELEVEN).digest())
                .isEqualTo(DeliveryLedger.digestTerm("b") + DeliveryLedger.digestTerm("c"));
        assertThat(ledger.bucket("s", "t", Instant.parse("2026-11-22T12:00:00Z"))).isNull();
        assertThat(ledger.totalCount()).isEqualTo(5);
    }

    @Test
    void aBucketValidatesWhatItIsGiven() {
        assertThat(LedgerBucket.of("d", "t", TEN, 2, 2 * 0xFFFFFFFFL).digest()).isEqualTo(2 * 0xFFFFFFFFL);
        assertThatThrownBy(() -> LedgerBucket.of("d", "t", TEN.plusMillis(1), 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hour must be the start of a UTC hour (HH:00:00.000) but was 2026-11-22T10:00:00.001Z");
        assertThatThrownBy(() -> LedgerBucket.of("d", "t", TEN, 0, 0))
                .hasMessage("count must be at least 1 but was 0");
        assertThatThrownBy(() -> LedgerBucket.of("d", "t", TEN, 2, -5))
                .hasMessage("digest must be between 0 and count × (2^32 − 1) = 8589934590 but was -5");
        assertThatThrownBy(() -> LedgerBucket.of("d", "t", TEN, 1, 1L << 32))
                .hasMessageStartingWith("digest must be between 0 and count × (2^32 − 1) = 4294967295");
        assertThatThrownBy(() -> LedgerBucket.of("", "t", TEN, 1, 0)).hasMessage("destination must not be empty");
        assertThatThrownBy(() -> LedgerBucket.of("d", "", TEN, 1, 0)).hasMessage("eventType must not be empty");
        assertThatThrownBy(() -> DeliveryLedger.builder().add("d", "", TEN, "id"))
                .hasMessage("eventType must not be empty");
    }

    @Test
    void theComparisonReportsEachKindOfDifferenceOnceInBucketOrder() {
        long a = DeliveryLedger.digestTerm("a");
        long b = DeliveryLedger.digestTerm("b");
        long c = DeliveryLedger.digestTerm("c");
        DeliveryLedger first = DeliveryLedger.builder()
                .add(LedgerBucket.of("s3", "view", TEN, 2, a + b))            // same on both sides
                .add(LedgerBucket.of("s3", "click", TEN, 1, a))               // only here
                .add(LedgerBucket.of("s3", "view", ELEVEN, 2, a + b))         // the other side lost one
                .add(LedgerBucket.of("s3", "buy", ELEVEN, 2, a + b))          // same count, another event
                .build();
        DeliveryLedger second = DeliveryLedger.builder()
                .add(LedgerBucket.of("s3", "view", TEN, 1, a))
                .add(LedgerBucket.of("s3", "view", TEN, 1, b))                // summed with the one above
                .add(LedgerBucket.of("s3", "view", ELEVEN, 1, a))
                .add(LedgerBucket.of("s3", "buy", ELEVEN, 2, a + c))
                .add(LedgerBucket.of("redshift", "view", ELEVEN, 3, a + b + c)) // only there
                .build();

        LedgerComparison comparison = DeliveryLedger.compare(first, second);

        assertThat(comparison.isClean()).isFalse();
        assertThat(comparison.differences()).extracting(LedgerComparison.Difference::kind).containsExactly(
                LedgerComparison.Kind.ONLY_IN_FIRST,
                LedgerComparison.Kind.ONLY_IN_SECOND,
                LedgerComparison.Kind.DIGEST_DIFFERS,
                LedgerComparison.Kind.COUNT_DIFFERS);
        LedgerComparison.Difference onlyFirst = comparison.differences().get(0);
        assertThat(onlyFirst.eventType()).isEqualTo("click");
        assertThat(onlyFirst.second()).isNull();
        assertThat(onlyFirst.countDifference()).isEqualTo(1);
        LedgerComparison.Difference onlySecond = comparison.differences().get(1);
        assertThat(onlySecond.destination()).isEqualTo("redshift");
        assertThat(onlySecond.first()).isNull();
        assertThat(onlySecond.countDifference()).isEqualTo(-3);
        LedgerComparison.Difference counts = comparison.differences().get(3);
        assertThat(counts.hour()).isEqualTo(ELEVEN);
        assertThat(counts.first().count()).isEqualTo(2);
        assertThat(counts.second().count()).isEqualTo(1);
        assertThat(comparison.toString()).isEqualTo(String.join(System.lineSeparator(),
                "LedgerComparison: 4 buckets differ",
                "  2026-11-22T10:00:00Z s3 click: only in the first ledger (1 events)",
                "  2026-11-22T11:00:00Z redshift view: only in the second ledger (3 events)",
                "  2026-11-22T11:00:00Z s3 buy: 2 events on both sides but different digests (" + (a + b) + " vs "
                        + (a + c) + ")",
                "  2026-11-22T11:00:00Z s3 view: 2 events in the first ledger, 1 in the second"));
        assertThat(DeliveryLedger.compare(first, first).isClean()).isTrue();
        assertThat(DeliveryLedger.compare(first, first)).hasToString("LedgerComparison: clean");
        assertThat(DeliveryLedger.compare(DeliveryLedger.empty(), DeliveryLedger.empty()).differences()).isEmpty();
    }

    @Test
    void filterKeepsSomeBucketsAndMergingDestinationsSumsDisjointOnes() {
        DeliveryLedger routed = DeliveryLedger.builder()
                .add("backup-books", "view", TEN, "a")
                .add("backup-books", "view", TEN.plusSeconds(60), "b")
                .add("backup-dynamic", "view", TEN.plusSeconds(120), "c")
                .add("backup-dynamic", "view", ELEVEN, "d")
                .build();
        DeliveryLedger realtime = DeliveryLedger.builder()
                .add("realtime", "view", TEN, "c")
                .add("realtime", "view", TEN, "b")
                .add("realtime", "view", TEN, "a")
                .add("realtime", "view", ELEVEN, "d")
                .build();

        assertThat(DeliveryLedger.compare(routed.mergeDestinations("all"), realtime.mergeDestinations("all")).isClean())
                .isTrue();
        assertThat(routed.filter(b -> b.destination().equals("backup-books")).buckets())
                .containsExactly(LedgerBucket.of("backup-books", "view", TEN, 2,
                        DeliveryLedger.digestTerm("a") + DeliveryLedger.digestTerm("b")));
        assertThat(realtime.filter(b -> b.hour().isBefore(ELEVEN)).totalCount()).isEqualTo(3);
    }
}
