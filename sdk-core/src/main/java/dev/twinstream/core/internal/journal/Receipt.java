package dev.twinstream.core.internal.journal;

import dev.twinstream.core.DeliveryFailedException;
import dev.twinstream.core.TrackedEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The future behind {@code trackWithReceipt}: completes once every sink of the event reached a
 * final outcome — normally if all delivered, else with the first sink's failure.
 */
public final class Receipt {
    public final CompletableFuture<TrackedEvent> future = new CompletableFuture<>();
    private final AtomicInteger remainingSinks;
    private final AtomicReference<@Nullable DeliveryFailedException> firstFailure = new AtomicReference<>();

    public Receipt(int sinkMask) {
        this.remainingSinks = new AtomicInteger(Integer.bitCount(sinkMask));
    }

    /**
     * Records one sink's final outcome; called once per sink, from the dispatcher or (for drops)
     * from the appending thread.
     *
     * @param failure why the sink did not deliver, or null if it did
     * @return true if this was the last sink, so the caller must {@link #complete} the future
     */
    public boolean sinkDone(String sink, TrackedEvent event, @Nullable String failure) {
        if (failure != null) {
            firstFailure.compareAndSet(null, new DeliveryFailedException(sink, event,
                    "event " + event.eventId() + " (" + event.eventType() + ") not delivered to sink '" + sink + "': " + failure));
        }
        return remainingSinks.decrementAndGet() == 0;
    }

    /** Completes the future; run on the listener executor so callers' callbacks never run on the dispatcher. */
    public void complete(TrackedEvent event) {
        DeliveryFailedException failure = firstFailure.get();
        if (failure == null) {
            future.complete(event);
        } else {
            future.completeExceptionally(failure);
        }
    }
}
