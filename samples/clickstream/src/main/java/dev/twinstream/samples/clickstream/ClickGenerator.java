package dev.twinstream.samples.clickstream;

import dev.twinstream.samples.clickstream.ClickEvent.AddToCart;
import dev.twinstream.samples.clickstream.ClickEvent.PageView;
import dev.twinstream.samples.clickstream.ClickEvent.Purchase;
import java.util.Locale;
import java.util.Random;

/**
 * Simulated shoppers: each call picks a user uniformly at random and lets them view a page (80 %),
 * add to their cart (15 %) or buy what is in it (5 %). Seeded, so a run with the same options
 * tracks the same events. Not thread-safe: one producer thread calls it.
 */
final class ClickGenerator {
    private static final String[] PAGES = {"/", "/search", "/category/shoes", "/category/books", "/deals", "/help"};
    private static final String[] REFERRERS = {"google.com", "newsletter", "direct", "instagram.com"};
    private static final int PRODUCTS = 500;
    /** A session ends after about this many events of its user. */
    private static final int EVENTS_PER_SESSION = 25;

    private final Random random;
    private final String[] userIds;
    private final int[] sessions;
    private final int[] cartItems;
    private final long[] cartCents;
    private long orders;

    /**
     * @param users how many distinct users, at least 1
     * @param seed the seed of every choice
     */
    ClickGenerator(int users, long seed) {
        this.random = new Random(seed);
        this.userIds = new String[users];
        this.sessions = new int[users];
        this.cartItems = new int[users];
        this.cartCents = new long[users];
        for (int u = 0; u < users; u++) {
            userIds[u] = String.format(Locale.ROOT, "user_%05d", u); // seed 001's ids: user_12345
        }
    }

    /** {@return the next event} */
    ClickEvent next() {
        int u = random.nextInt(userIds.length);
        if (random.nextInt(EVENTS_PER_SESSION) == 0) {
            sessions[u]++;
        }
        String user = userIds[u];
        String session = user + "-s" + sessions[u];
        int dice = random.nextInt(100);
        if (dice < 80 || (dice >= 95 && cartItems[u] == 0)) {
            String page = random.nextInt(3) == 0 ? "/product/p-" + random.nextInt(PRODUCTS) : PAGES[random.nextInt(PAGES.length)];
            return new PageView(user, session, page, REFERRERS[random.nextInt(REFERRERS.length)]);
        }
        if (dice < 95) {
            int quantity = 1 + random.nextInt(3);
            long price = 199 + random.nextInt(20_000);
            cartItems[u] += quantity;
            cartCents[u] += quantity * price;
            return new AddToCart(user, session, "p-" + random.nextInt(PRODUCTS), quantity, price);
        }
        Purchase purchase = new Purchase(user, session, "o-" + (++orders), cartItems[u], cartCents[u]);
        cartItems[u] = 0;
        cartCents[u] = 0;
        return purchase;
    }
}
