package dev.twinstream.core.spi;

import dev.twinstream.core.DeadLetter;

/**
 * Receives every event a sink could not deliver: permanent errors, records whose delivery timeout
 * or attempt budget ran out. The tracker's default keeps them for inspection and replay
 * ({@code EventTracker.deadLetterStore()}) — in the journal's directory with a disk journal, so they
 * survive restarts, in memory otherwise — and logs a rate-limited warning.
 *
 * <p>Called on the tracker's listener thread, one dead letter at a time. An exception thrown here is
 * logged and does not stop the tracker; the dead letter then stays counted as dead-lettered.
 */
@FunctionalInterface
public interface DeadLetterHandler {

    /**
     * Takes ownership of one dead letter. Should return quickly.
     *
     * @param deadLetter the event a sink could not deliver
     */
    void onDeadLetter(DeadLetter deadLetter);
}
