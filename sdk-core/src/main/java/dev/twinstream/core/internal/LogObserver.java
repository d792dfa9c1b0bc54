package dev.twinstream.core.internal;

import dev.twinstream.core.DropReason;

/** What an {@link EventLog} reports back; called outside the log's lock. */
interface LogObserver {

    /** The overflow policy dropped {@code record} for {@code sink} before the sink read it. */
    void dropped(int sink, LogRecord record, DropReason reason);

    /** A sink has new work worth waking the dispatcher for: its first unread record, or a full batch. */
    void wake();
}
