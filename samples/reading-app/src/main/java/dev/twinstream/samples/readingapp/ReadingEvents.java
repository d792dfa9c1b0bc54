package dev.twinstream.samples.readingapp;

import dev.twinstream.core.EventType;
import java.util.Random;

/** What the simulated reading app tracks: book activity, and other app events. */
final class ReadingEvents {
    /** The routing key (and the {@code category} field) of book activity. */
    static final String BOOK_ACTIVITY = "book-activity";
    /** The category of every other event. */
    static final String APP = "app";

    /** A reader's action in a book. */
    record BookActivity(String userId, String bookId, String category, String action, int page) {}

    /** Anything else the app reports: screens, searches, settings. */
    record AppEvent(String userId, String category, String screen, String action) {}

    static final EventType<BookActivity> BOOK = EventType.builder(BookActivity.class, "book_activity")
            .partitionKey(BookActivity::userId)
            .routingKey(BookActivity::category)
            .requireFields("userId", "bookId", "action")
            .rule("page >= 0", e -> e.page() >= 0)
            .build();

    static final EventType<AppEvent> OTHER = EventType.builder(AppEvent.class, "app_event")
            .partitionKey(AppEvent::userId)
            .routingKey(AppEvent::category)
            .requireFields("userId", "screen")
            .build();

    private static final String[] ACTIONS = {"open", "turn_page", "turn_page", "turn_page", "highlight", "close"};
    private static final String[] SCREENS = {"home", "search", "library", "settings", "store"};

    private final Random random;

    ReadingEvents(long seed) {
        this.random = new Random(seed);
    }

    /** The next event: 3 in 4 are book activity. */
    Object next() {
        String user = "user-" + random.nextInt(5_000);
        if (random.nextInt(4) != 0) {
            return new BookActivity(user, "book-" + random.nextInt(800), BOOK_ACTIVITY,
                    ACTIONS[random.nextInt(ACTIONS.length)], random.nextInt(400));
        }
        return new AppEvent(user, APP, SCREENS[random.nextInt(SCREENS.length)], random.nextBoolean() ? "view" : "tap");
    }

    /** Events the tracker must reject at {@code track()}, each for its own reason. */
    static Object[] invalid() {
        return new Object[] {
            new BookActivity("user-1", null, BOOK_ACTIVITY, "open", 1),      // a required field is missing
            new BookActivity("user-2", "book-9", BOOK_ACTIVITY, "turn_page", -3), // a rule fails
            new AppEvent(null, APP, "home", "view"),                          // no user id
            "a string is not a registered event type",
        };
    }
}
