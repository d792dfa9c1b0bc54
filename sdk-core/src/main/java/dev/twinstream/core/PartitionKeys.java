package dev.twinstream.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Built-in partition-key strategies for {@link EventType.Builder#partitionKey}.
 *
 * <p>The key decides which Kinesis shard an event lands on (events with one key stay in order on
 * one shard) and how evenly load spreads. A key the function returns as {@code null} or empty
 * rejects the event at {@code track()}.
 *
 * <pre>{@code
 * EventType.builder(PageView.class, "page_view")
 *     .partitionKey(PartitionKeys.md5Hex(PageView::userId, e -> "page_view"))
 *     .build();
 * }</pre>
 */
public final class PartitionKeys {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Joins the parts of {@link #md5Hex}, so that ("ab","c") and ("a","bc") hash differently. */
    private static final char PART_SEPARATOR = ':';

    private PartitionKeys() {}

    /**
     * The value of one field as a string ({@link String#valueOf}); a {@code null} value rejects the event.
     *
     * @param getter reads the field, e.g. {@code PageView::userId}
     * @param <T> the event class
     * @return the key function; it returns {@code null} for a {@code null} value
     */
    public static <T> Function<T, @Nullable String> field(Function<? super T, ?> getter) {
        Objects.requireNonNull(getter, "getter");
        return event -> {
            Object value = getter.apply(event);
            return value == null ? null : String.valueOf(value);
        };
    }

    /**
     * The lower-case hex MD5 (32 characters) of the parts' string values joined by {@code ':'}: a
     * fixed-length key that spreads evenly and reveals nothing of the values, as in a pipeline
     * keyed by a hash of user id and event type. A {@code null} part is written as {@code "null"}.
     *
     * @param parts at least one field getter
     * @param <T> the event class
     * @return the key function
     */
    @SafeVarargs
    public static <T> Function<T, String> md5Hex(Function<? super T, ?>... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("md5Hex needs at least one part");
        }
        List<Function<? super T, ?>> getters = new ArrayList<>(parts.length);
        for (Function<? super T, ?> getter : parts) {
            getters.add(Objects.requireNonNull(getter, "part"));
        }
        return event -> {
            StringBuilder joined = new StringBuilder();
            for (int i = 0; i < getters.size(); i++) {
                if (i > 0) {
                    joined.append(PART_SEPARATOR);
                }
                joined.append(getters.get(i).apply(event));
            }
            return hex(md5(joined.toString().getBytes(StandardCharsets.UTF_8)));
        };
    }

    /**
     * A random 128-bit value as 32 hex characters, new for every event: spreads events evenly over
     * all shards when no ordering per key is needed, like the default key (the event id) but shorter
     * to send and unrelated to the event.
     *
     * @param <T> the event class
     * @return the key function
     */
    public static <T> Function<T, String> random() {
        return event -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            return hex(bytes);
        };
    }

    private static byte[] md5(byte[] input) {
        try {
            return MessageDigest.getInstance("MD5").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide MD5", e);
        }
    }

    private static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
