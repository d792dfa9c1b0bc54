package dev.twinstream.firehose.internal;

import dev.twinstream.core.Scheduler;
import dev.twinstream.core.spi.RecordResult;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Moves the sink's sends off the caller's thread (the tracker's dispatcher, which serves every
 * sink) and keeps each of them accounted for.
 *
 * <p>Each send runs on the injected {@link Scheduler} or, without one, on the sink's own single
 * daemon thread {@code twinstream-firehose-N}, started by the first send. Every send submitted
 * either runs there or, when {@link #close()} comes first, is abandoned with
 * {@value FirehoseErrors#SINK_CLOSED} at close, never both and never neither: its stage always
 * completes. After {@code close()} a send runs on the caller's thread.
 */
public final class SendHandoff implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** Whoever calls {@link #claim()} first runs the send or abandons it. */
    private final class Pending implements Runnable {
        final Runnable send;
        final Consumer<RecordResult> abandon;
        final AtomicBoolean claimed = new AtomicBoolean();

        Pending(Runnable send, Consumer<RecordResult> abandon) {
            this.send = send;
            this.abandon = abandon;
        }

        boolean claim() {
            if (claimed.compareAndSet(false, true)) {
                queued.remove(this);
                return true;
            }
            return false;
        }

        @Override
        public void run() {
            if (claim()) {
                send.run();
            }
        }

        @Override
        public String toString() {
            return "FirehoseSink send";
        }
    }

    private final Executor executor;
    private final @Nullable ThreadPoolExecutor ownThread;
    /** Sends submitted to {@link #executor} and not started yet. */
    private final Set<Pending> queued = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * A hand-off to {@code scheduler}, or to a thread of its own when it is {@code null}.
     *
     * @param scheduler the caller's scheduler, never shut down here; {@code null} for an own thread
     */
    public SendHandoff(@Nullable Scheduler scheduler) {
        if (scheduler != null) {
            this.ownThread = null;
            this.executor = scheduler;
        } else {
            // One thread, created by the first execute(); the queue is unbounded, but the tracker
            // bounds how many sends it has outstanding (its in-flight window).
            this.ownThread = new ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "twinstream-firehose-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.executor = ownThread;
        }
    }

    /**
     * Runs {@code send} on the sender thread, or on the calling thread after {@link #close()}.
     *
     * @param send builds and sends the batch and completes its stage; must not throw
     * @param abandon completes the stage with this result for every event instead, when the send
     *     will not run: {@value FirehoseErrors#SINK_CLOSED} if the sink closed first, or the
     *     exception's class name if the scheduler refused the task (both RETRYABLE)
     */
    public void submit(Runnable send, Consumer<RecordResult> abandon) {
        if (closed) {
            send.run();
            return;
        }
        Pending pending = new Pending(send, abandon);
        queued.add(pending);
        try {
            executor.execute(pending);
        } catch (RuntimeException refused) {
            // Our own thread after a concurrent close(), or an injected scheduler that was shut down.
            if (pending.claim()) {
                abandon.accept(closed ? closedResult() : RecordResult.retryable(refused.getClass().getSimpleName(),
                        "the Firehose sink's scheduler refused the send: " + refused.getMessage()));
            }
            return;
        }
        // close() may have failed the queued sends just before this one was added.
        if (closed && pending.claim()) {
            abandon.accept(closedResult());
        }
    }

    /**
     * Abandons every send not started yet with {@value FirehoseErrors#SINK_CLOSED} (RETRYABLE) and
     * stops the own thread, if any, once the send it is running has handed its requests to the
     * client; does not wait for that. Requests already sent complete as usual. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        for (Pending pending : queued) {
            if (pending.claim()) {
                pending.abandon.accept(closedResult());
            }
        }
        if (ownThread != null) {
            ownThread.shutdown(); // not shutdownNow: never interrupt the SDK inside putRecordBatch
        }
    }

    private static RecordResult closedResult() {
        return RecordResult.retryable(FirehoseErrors.SINK_CLOSED, "the Firehose sink was closed before this batch was sent");
    }
}
