package dev.twinstream.core.internal;

import dev.twinstream.core.DropReason;
import dev.twinstream.core.internal.dispatch.Dispatcher;
import dev.twinstream.core.internal.dispatch.Notifier;
import dev.twinstream.core.internal.dispatch.SinkChannel;
import dev.twinstream.core.internal.journal.LogObserver;
import dev.twinstream.core.internal.journal.LogRecord;
import org.jspecify.annotations.Nullable;

/**
 * Routes what the log reports (drops, wake-ups) to the sink's counters, the notifier and the
 * dispatcher. The log must exist before the dispatcher and the channels that read it, so it is
 * built with this router, and the router gets its targets, complete, once they exist
 * ({@link #bind}); a report before that would be a wiring bug and fails loudly instead of reaching
 * a half-built engine.
 */
final class LogEvents implements LogObserver {
    private static final class Targets {
        final SinkChannel[] channels;
        final Dispatcher dispatcher;
        final Notifier notifier;

        Targets(SinkChannel[] channels, Dispatcher dispatcher, Notifier notifier) {
            this.channels = channels.clone();
            this.dispatcher = dispatcher;
            this.notifier = notifier;
        }
    }

    private volatile @Nullable Targets targets;

    void bind(SinkChannel[] channels, Dispatcher dispatcher, Notifier notifier) {
        if (targets != null) {
            throw new IllegalStateException("LogEvents is bound already");
        }
        targets = new Targets(channels, dispatcher, notifier);
    }

    private Targets targets() {
        Targets t = targets;
        if (t == null) {
            throw new IllegalStateException("the log reported an event before the tracker was wired");
        }
        return t;
    }

    /** Called by the log on application threads (or the journal writer), outside its lock. */
    @Override
    public void dropped(int sink, LogRecord record, DropReason reason) {
        Targets t = targets();
        SinkChannel channel = t.channels[sink];
        channel.counters.dropped(reason, record.payloads[channel.slot].length);
        t.notifier.dropped(channel.name, record, reason);
    }

    @Override
    public void wake(boolean batchReady) {
        Dispatcher dispatcher = targets().dispatcher;
        if (batchReady) {
            dispatcher.signalBatchReady();
        } else {
            dispatcher.signalFirstRecord();
        }
    }
}
