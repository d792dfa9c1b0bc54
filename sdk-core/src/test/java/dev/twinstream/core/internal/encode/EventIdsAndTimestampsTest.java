package dev.twinstream.core.internal.encode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsAndTimestampsTest {

    @Test
    void idsAreVersion7UuidsOrderedByMillisecond() {
        Set<String> seen = new HashSet<>();
        String previous = id(1_000);
        for (long ms = 1_001; ms < 3_000; ms++) {
            String id = id(ms);
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.getMostSignificantBits() >>> 16).isEqualTo(ms);
            assertThat(id).hasSize(36).isGreaterThan(previous);
            assertThat(seen.add(id)).isTrue();
            previous = id;
        }
    }

    @Test
    void timestampsMatchJavaTimeIncludingWholeMinutesAndEpochEdges() {
        Random random = new Random(7);
        long[] fixed = {0, 999, 1_000, 59_999, 60_000, Instant.parse("2026-11-22T10:15:00Z").toEpochMilli(),
                        Instant.parse("2099-12-31T23:59:59.999Z").toEpochMilli()};
        for (long ms : fixed) {
            assertThat(Timestamps.format(ms)).isEqualTo(Instant.ofEpochMilli(ms).toString().length() == 24
                    ? Instant.ofEpochMilli(ms).toString() : iso(ms));
        }
        for (int i = 0; i < 10_000; i++) {
            long ms = Math.floorMod(random.nextLong(), 4_102_444_800_000L); // 1970..2100
            assertThat(Timestamps.format(ms)).isEqualTo(iso(ms));
        }
    }

    private static String id(long ms) {
        return new String(EventIds.nextAscii(ms), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String iso(long ms) {
        return java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(Instant.ofEpochMilli(ms));
    }
}
