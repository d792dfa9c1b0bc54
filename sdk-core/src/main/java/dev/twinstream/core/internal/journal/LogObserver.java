package dev.twinstream.core.internal.journal;

import dev.twinstream.core.DropReason;

/** What an {@link EventLog} reports back; called outside the log's lock. */
public interface LogObserver {

    /** The overflow policy dropped {@code record} for {@code sink} before the sink read it. */
    void dropped(int sink, LogRecord record, DropReason reason);

    /**
     * A sink has new work worth waking the dispatcher for.
     *
     * @param batchReady true when a sink's unread records reached a full batch; false when a sink got
     *     its first unread record (the dispatcher must start its linger)
     */
    void wake(boolean batchReady);
}
