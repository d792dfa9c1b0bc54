package dev.twinstream.core.internal.dispatch;

import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.internal.journal.LogRecord;
import dev.twinstream.core.internal.journal.Receipt;
import dev.twinstream.core.spi.DeadLetterHandler;
import dev.twinstream.core.spi.RecordResult;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the outside world about final outcomes: the {@link DeliveryListener}, the
 * {@link DeadLetterHandler} and delivery receipts, always on the listener executor. When no listener
 * is set and the record has no receipt, the per-event methods do nothing and allocate nothing.
 */
public final class Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

    private final @Nullable DeliveryListener listener;
    private final DeadLetterHandler deadLetters;
    private final Executor executor;

    public Notifier(@Nullable DeliveryListener listener, DeadLetterHandler deadLetters, Executor executor) {
        this.listener = listener;
        this.deadLetters = deadLetters;
        this.executor = executor;
    }

    void delivered(String sink, LogRecord record) {
        if (listener != null) {
            run(() -> listener.onDelivered(sink, record), "onDelivered");
        }
        finish(sink, record, null);
    }

    void retried(String sink, LogRecord record, int nextAttempt, long backoffMillis, RecordResult cause) {
        if (listener != null) {
            run(() -> listener.onRetried(sink, record, nextAttempt, backoffMillis, cause), "onRetried");
        }
    }

    void deadLettered(String sink, LogRecord record, DeadLetter deadLetter) {
        run(() -> deadLetters.onDeadLetter(deadLetter), "DeadLetterHandler");
        if (listener != null) {
            run(() -> listener.onDeadLettered(sink, deadLetter), "onDeadLettered");
        }
        finish(sink, record, "dead-lettered (" + deadLetter.reason() + ", " + deadLetter.errorCode() + ": "
                + deadLetter.errorMessage() + ")");
    }

    public void dropped(String sink, LogRecord record, DropReason reason) {
        if (listener != null) {
            run(() -> listener.onDropped(sink, record, reason), "onDropped");
        }
        finish(sink, record, "dropped (" + reason + ")");
    }

    public void journalRecovered(dev.twinstream.core.JournalRecovery recovery) {
        if (listener != null) {
            run(() -> listener.onJournalRecovered(recovery), "onJournalRecovered");
        }
    }

    private void finish(String sink, LogRecord record, @Nullable String failure) {
        Receipt receipt = record.receipt;
        if (receipt != null && receipt.sinkDone(sink, record, failure)) {
            executor.execute(() -> receipt.complete(record));
        }
    }

    private void run(Runnable callback, String what) {
        executor.execute(() -> {
            try {
                callback.run();
            } catch (RuntimeException e) {
                LOG.warn("Twinstream {} callback threw; ignored", what, e);
            }
        });
    }
}
