package dev.twinstream.samples.clickstream;

import dev.twinstream.core.EventType;
import dev.twinstream.core.PartitionKeys;
import java.util.List;
import java.util.function.Function;

/**
 * What a shop's web and mobile clients track (seed 001's event: user, session, type and its
 * properties; the tracker adds the event id and the timestamp). One Java type per event type, so
 * each is validated on its own terms.
 */
public sealed interface ClickEvent permits ClickEvent.PageView, ClickEvent.AddToCart, ClickEvent.Purchase {

    /** {@return who did it, e.g. {@code user_00042}} */
    String userId();

    /** {@return the user's current session} */
    String sessionId();

    /** A page was shown. */
    record PageView(String userId, String sessionId, String page, String referrer) implements ClickEvent {}

    /** A product went into the cart. */
    record AddToCart(String userId, String sessionId, String productId, int quantity, long priceCents) implements ClickEvent {}

    /** The cart was bought. */
    record Purchase(String userId, String sessionId, String orderId, int items, long amountCents) implements ClickEvent {}

    /** How partition keys are made (seed 001 shows both). */
    enum KeyScheme {
        /** The user id: one user's events stay in order on one shard. */
        USER("user"),
        /** md5(userId:eventType): spreads a busy user's events over up to three shards. */
        USER_TYPE("user-type");

        private final String option;

        KeyScheme(String option) {
            this.option = option;
        }

        /** {@return the value as written on the command line} */
        public String option() {
            return option;
        }

        /**
         * The scheme written as {@code value} on the command line.
         *
         * @param value {@code user} or {@code user-type}
         * @return the scheme
         * @throws IllegalArgumentException for anything else
         */
        public static KeyScheme of(String value) {
            for (KeyScheme k : values()) {
                if (k.option.equals(value)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("expected user or user-type but was '" + value + "'");
        }
    }

    /**
     * The three registered event types, keyed as {@code keys} says.
     *
     * @param keys the partition-key scheme
     * @return page_view, add_to_cart and purchase
     */
    static List<EventType<?>> eventTypes(KeyScheme keys) {
        return List.of(
                type(PageView.class, "page_view", keys).requireFields("userId", "sessionId", "page").build(),
                type(AddToCart.class, "add_to_cart", keys).requireFields("userId", "sessionId", "productId")
                        .rule("quantity > 0", e -> e.quantity() > 0).build(),
                // Seed 001: "Purchase events must include amount".
                type(Purchase.class, "purchase", keys).requireFields("userId", "sessionId", "orderId")
                        .rule("amountCents > 0", e -> e.amountCents() > 0).build());
    }

    private static <T extends ClickEvent> EventType.Builder<T> type(Class<T> javaType, String name, KeyScheme keys) {
        Function<T, String> key = keys == KeyScheme.USER
                ? PartitionKeys.field(ClickEvent::userId)
                : PartitionKeys.md5Hex(ClickEvent::userId, e -> name);
        return EventType.builder(javaType, name).partitionKey(key);
    }
}
