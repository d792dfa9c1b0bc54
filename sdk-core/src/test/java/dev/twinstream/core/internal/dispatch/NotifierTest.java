package dev.twinstream.core.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.twinstream.core.DeadLetterStore;
import dev.twinstream.core.DeliveryFailedException;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.internal.journal.LogRecord;
import dev.twinstream.core.internal.journal.Receipt;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NotifierTest {
    private final ExecutorService listenerThread = Executors.newSingleThreadExecutor();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<String> heard = new CopyOnWriteArrayList<>();
    private final AtomicInteger entered = new AtomicInteger();

    /** Blocks in every callback until {@link #release} (bounded), recording the event ids it heard. */
    private final DeliveryListener stuckListener = new DeliveryListener() {
        @Override
        public void onDropped(String sink, TrackedEvent event, DropReason reason) {
            entered.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            heard.add(event.eventId());
        }
    };

    @AfterEach
    void stop() {
        release.countDown();
        listenerThread.shutdownNow();
    }

    private static LogRecord record(int i, boolean withReceipt) {
        return new LogRecord("id-" + i, "t", "k", null, 0, 0, new byte[][] {new byte[1]}, 1,
                withReceipt ? new Receipt(1) : null);
    }

    private static DeadLetterStore store() {
        return new DeadLetterStore(DeadLetterStore.DEFAULT_MAX_BYTES, dev.twinstream.core.Clock.system());
    }

    @Test
    void aFullQueueHoldsTheSubmitterUntilTheTrackerIsClosing() throws Exception {
        Notifier notifier = Notifier.onOwnThread(stuckListener, store(), listenerThread, 4);
        Thread submitter = new Thread(() -> {
            for (int i = 0; i < 10; i++) {
                notifier.dropped("s", record(i, false), DropReason.CLOSED_BEFORE_DELIVERY);
            }
        });
        submitter.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean waiting = false;
        while (!waiting && System.nanoTime() < deadline) {
            waiting = submitter.getState() == Thread.State.TIMED_WAITING; // its only wait: for room
            Thread.onSpinWait();
        }
        assertThat(waiting).as("the submitter waits for room").isTrue();
        assertThat(heard).isEmpty();

        notifier.closing();
        submitter.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(submitter.isAlive()).as("closing lets the submitter go ahead").isFalse();
        release.countDown();
        assertThat(notifier.awaitDelivered(System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
        assertThat(heard).hasSize(10).as("in the order decided").isEqualTo(ids(0, 10));
        assertThat(notifier.undelivered()).isZero();
    }

    @Test
    void abandonCompletesReceiptsOnTheCallerAndCountsTheRest() throws Exception {
        Notifier notifier = Notifier.onOwnThread(stuckListener, store(), listenerThread, 1_000);
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            LogRecord r = record(i, true);
            records.add(r);
            notifier.dropped("s", r, DropReason.CLOSED_BEFORE_DELIVERY);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (entered.get() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(entered).as("the listener is stuck in its first callback").hasValue(1);

        assertThat(notifier.awaitDelivered(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(notifier.abandon()).as("onDropped calls taken back (the one running is not)").isEqualTo(4);
        for (LogRecord r : records) {
            assertThat(r.receipt.future).as("receipt of %s", r.eventId).isCompletedExceptionally();
        }
        notifier.dropped("s", record(9, false), DropReason.CLOSED_BEFORE_DELIVERY);
        assertThat(notifier.undelivered()).as("a notification after abandon is counted at once").isEqualTo(5);
        release.countDown();
        listenerThread.shutdown();
        assertThat(listenerThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(heard).as("only the callback in progress ran").containsExactly("id-0");
    }

    @Test
    void aCallersExecutorThatRejectsStillCompletesReceiptsAndCountsTheRest() {
        List<String> dropped = new CopyOnWriteArrayList<>();
        Notifier notifier = Notifier.onCallersExecutor(new DeliveryListener() {
            @Override
            public void onDropped(String sink, TrackedEvent event, DropReason reason) {
                dropped.add(event.eventId());
            }
        }, store(), task -> {
            throw new RejectedExecutionException("shut down");
        });
        LogRecord r = record(1, true);
        notifier.dropped("s", r, DropReason.CLOSED_BEFORE_DELIVERY);

        assertThat(r.receipt.future).isCompletedExceptionally();
        assertThat(r.receipt.future.handle((ok, e) -> e)).isCompletedWithValueMatching(
                e -> e instanceof DeliveryFailedException);
        assertThat(notifier.undelivered()).isEqualTo(1);
        assertThat(dropped).isEmpty();
        assertThat(notifier.awaitDelivered(System.nanoTime())).as("the caller's executor owns its queue").isTrue();
    }

    private static List<String> ids(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add("id-" + i);
        }
        return ids;
    }
}
