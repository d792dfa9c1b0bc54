package dev.twinstream.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.internal.TrackerEngine;
import dev.twinstream.core.internal.TrackerSettings;
import dev.twinstream.core.internal.Validation;
import dev.twinstream.core.spi.DeadLetterHandler;
import dev.twinstream.core.spi.Sink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Accepts typed events and delivers each to its sinks: the entry point of Twinstream.
 *
 * <pre>{@code
 * try (EventTracker tracker = EventTracker.builder()
 *         .register(EventType.builder(PageView.class, "page_view").partitionKey(PageView::userId).build())
 *         .sink("realtime", realtimeSink, SinkOptions.defaults().format(RecordFormat.flat().column("userId").build()))
 *         .sink("backup", backupSink)
 *         .build()) {
 *     tracker.track(new PageView("u1", "/home"));
 * }
 * }</pre>
 *
 * <p>{@code track} validates, enriches and encodes the event on the calling thread, appends it to
 * the journal and returns; it never does network I/O. Background threads (a dispatcher and a
 * listener thread, daemon, named {@code twinstream-*}) batch, send, retry and report. Every sink has
 * its own cursor over the journal, so a slow or failing sink delays only itself (until the journal
 * fills). Delivery is at-least-once per sink; duplicates carry the same {@code eventId}.
 *
 * <p>Thread-safe. Close it to flush and stop its threads; after {@link #close()}, {@code track}
 * throws {@link IllegalStateException}.
 */
public interface EventTracker extends AutoCloseable {

    /**
     * Starts configuring a tracker.
     *
     * @return a new builder
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Accepts an event for delivery to its sinks.
     *
     * <p>Blocks only under {@link OverflowPolicy#block(Duration)} while the journal is full, for at
     * most the policy's timeout.
     *
     * @param event an instance of a registered event type (or of a subclass of one)
     * @return the event's id
     * @throws EventRejectedException if the class is not registered, a required field is missing, a
     *     rule fails, the event cannot be serialized, its partition key is invalid, or its encoding is
     *     larger than a limit of a sink it goes to; nothing was appended
     * @throws BufferFullException if the journal stayed full for the BLOCK timeout
     * @throws IllegalStateException if the tracker is closed
     * @throws NullPointerException if {@code event} is null
     */
    String track(Object event);

    /**
     * Like {@link #track(Object)}, and waits until the event is durable: forced to storage by a disk
     * journal (group commit under {@link FsyncPolicy#always()}, the next interval's force under
     * {@link FsyncPolicy#interval(java.time.Duration)}). Blocks for at most the journal's
     * {@link Journal#durableTimeout(Duration) durable timeout} (plus the BLOCK timeout if the journal
     * is full). An event this returns for survives a crash of the process, of the OS and a power
     * loss (given a storage device that honours fsync).
     *
     * @param event as for {@link #track(Object)}
     * @return the event's id
     * @throws NotDurableException if the event was not confirmed durable in time, the journal cannot
     *     write, or the overflow policy dropped it ({@link NotDurableException#accepted()} tells)
     * @throws UnsupportedOperationException with a memory journal, or a disk journal under
     *     {@link FsyncPolicy#never()}: neither ever makes an event durable
     * @throws EventRejectedException as {@link #track(Object)}
     * @throws BufferFullException as {@link #track(Object)}
     * @throws IllegalStateException as {@link #track(Object)}
     */
    String trackDurable(Object event);

    /**
     * Like {@link #track(Object)}, and returns a future that completes once every sink of the event
     * delivered it — or exceptionally with {@link DeliveryFailedException} once any sink
     * dead-lettered or dropped it and the others finished. Completed on the listener thread, after
     * the listener heard the event's outcomes; always completed by the time {@link #close()} returns
     * (on the closing thread if the listener thread could not get to it in time), with a disk journal
     * exceptionally for an event still pending in the journal.
     *
     * @param event as for {@link #track(Object)}
     * @return the receipt: a future of the event's identity
     * @throws EventRejectedException as {@link #track(Object)}
     * @throws BufferFullException as {@link #track(Object)}
     * @throws IllegalStateException as {@link #track(Object)}
     */
    CompletableFuture<TrackedEvent> trackWithReceipt(Object event);

    /**
     * Sends everything accepted so far without waiting for linger, and waits until all of it is
     * final (delivered, dead-lettered or dropped) in every sink and the listener and the dead-letter
     * handler have been told (so {@link #deadLetterStore()} holds every dead letter the metrics
     * count), or the timeout passes.
     *
     * @param timeout the longest wait
     * @return true if everything accepted before the call is final and reported
     */
    boolean flush(Duration timeout);

    /**
     * Non-blocking {@link #flush(Duration)}: the future completes with true when everything is final
     * (the listener may still be catching up: it runs on its own thread), with false when
     * {@code timeout} passes on the tracker's clock. Completed on the dispatcher thread: do
     * not block in its callbacks.
     *
     * @param timeout the longest wait, on the tracker's clock
     * @return a future of whether everything accepted before the call is final
     */
    CompletableFuture<Boolean> flushAsync(Duration timeout);

    /** {@return a snapshot of every sink's counters} */
    TrackerMetrics metrics();

    /**
     * What a sink delivered, per destination, event type and UTC hour of the events' {@code occurredAt}:
     * the count of distinct events and the digest of their ids, to reconcile the sink's destination
     * with another one, or with what the destination holds (see {@link DeliveryLedger} and
     * {@code docs/RECONCILIATION.md}). An event counts once per sink however often it was sent; the
     * destination is the one the sink reported ({@link dev.twinstream.core.spi.RecordResult#ok(String)}),
     * else the sink's name. An hour is dropped once {@link Builder#ledgerRetention the retention} has
     * passed since it ended.
     *
     * <p>With a {@link Journal#disk(java.nio.file.Path) disk journal} the ledger survives restarts and
     * crashes: it is persisted with the journal's checkpoint, so the events a restarted tracker sends
     * again are counted once, when they are delivered again. With a memory journal it starts empty.
     *
     * @param sink a registered sink's name
     * @return a snapshot; empty when the ledger is off ({@link Builder#ledgerRetention} zero)
     * @throws IllegalArgumentException if the tracker has no sink of that name
     */
    DeliveryLedger ledger(String sink);

    /**
     * The store that keeps dead letters when the default handler (or a {@link DeadLetterStore}
     * given to {@link Builder#deadLetterHandler}) is in use. The default is
     * {@link DeadLetterStore#persistent persistent} in the journal's directory with a
     * {@link Journal#disk(java.nio.file.Path) disk journal} — it lists the dead letters of earlier runs
     * too, until they are removed — and in memory otherwise; the tracker closes it when it closes.
     *
     * @return the tracker's dead-letter store
     * @throws IllegalStateException if another {@link DeadLetterHandler} is installed
     */
    DeadLetterStore deadLetterStore();

    /**
     * Appends dead letters again, each for its own sink only, with its original id, type, key and
     * payload; they are counted as accepted again and follow the overflow policy.
     *
     * @param deadLetters the dead letters to append, for example from {@link DeadLetterStore#snapshot()}
     *     (then {@link DeadLetterStore#remove(Collection) remove} them from the store once they are safe)
     * @return how many were appended (fewer if the overflow policy dropped some)
     * @throws IllegalArgumentException if a dead letter names a sink this tracker does not have
     * @throws IllegalStateException if the tracker is closed
     */
    int replay(Collection<DeadLetter> deadLetters);

    /**
     * Stops accepting events, delivers what it can within the close timeout, then stops the
     * tracker's threads and closes the sinks. Returns within the close timeout plus
     * {@link Builder#CLOSE_GRACE_MILLIS} (plus whatever the sinks' own {@code close} takes), and
     * never throws. Idempotent. In order:
     * <ol>
     *   <li>{@code track} throws {@link IllegalStateException} from now on;
     *   <li>flushes for at most 90 % of the close timeout;
     *   <li>sends nothing more and waits, until the close timeout plus half the grace at the latest,
     *       for the {@code send} calls still in flight: each counts as what it was — delivered if the
     *       sink delivered it, dead-lettered if it failed permanently; an event it would retry is
     *       dropped ({@link DropReason#CLOSED_BEFORE_DELIVERY}) with a memory journal and stays
     *       pending with a disk journal;
     *   <li>with a memory journal, every event still pending is counted as dropped
     *       ({@link DropReason#CLOSED_BEFORE_DELIVERY}) and reported — including the events of a call
     *       still unfinished by then, which the destination may nevertheless have stored (a warning
     *       is logged); with a disk journal they stay pending in the journal, the next tracker on the
     *       same directory delivers them, and their receipts fail;
     *   <li>waits, until the close timeout plus the whole grace at the latest, until the listener
     *       thread has run every
     *       {@link DeliveryListener} and {@link dev.twinstream.core.spi.DeadLetterHandler} call for
     *       the outcomes decided so far. What it could not run in time is not lost silently: it is
     *       counted in {@link TrackerMetrics#undeliveredNotifications()} and logged as one warning,
     *       and every receipt is completed regardless (see {@link #trackWithReceipt}). With a
     *       {@link Builder#listenerExecutor listener executor} or {@link Builder#scheduler scheduler}
     *       of your own, the calls are handed to it and close does not wait for them to run.
     * </ol>
     */
    @Override
    void close();

    /**
     * Configures an {@link EventTracker}. Setters record values; {@link #build()} validates all of
     * them at once.
     */
    final class Builder {
        /** Allowed sink names: 1 to 64 of letters, digits, {@code _ . -}. */
        public static final Pattern SINK_NAME_PATTERN = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
        /** Most sinks per tracker. */
        public static final int MAX_SINKS = 31;
        /** Default close timeout: 10 s. */
        public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
        /**
         * How long, in milliseconds, {@link EventTracker#close()} may take beyond the close timeout:
         * 2,000. Close uses it only when it must: the first half to wait for {@code send} calls still
         * in flight (so that their events count as what they were, not as dropped), the rest for the
         * listener thread to run the notifications already decided. A close that has neither to wait
         * for returns within the close timeout.
         */
        public static final long CLOSE_GRACE_MILLIS = 2_000;

        private final List<EventType<?>> eventTypes = new ArrayList<>();
        private final Map<String, Sink> sinks = new LinkedHashMap<>();
        private final Map<String, SinkOptions> sinkOptions = new LinkedHashMap<>();
        private final List<String> earlyViolations = new ArrayList<>();
        private final Map<String, String> context = new LinkedHashMap<>();
        private RetryPolicy retry = RetryPolicy.defaults();
        private Journal journal = Journal.memory();
        private @Nullable DeliveryListener listener;
        private @Nullable DeadLetterHandler deadLetterHandler;
        private @Nullable ObjectMapper objectMapper;
        private Clock clock = Clock.system();
        private @Nullable Scheduler scheduler;
        private @Nullable Executor listenerExecutor;
        private @Nullable ThreadFactory threadFactory;
        private @Nullable Random random;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Duration ledgerRetention = DeliveryLedger.DEFAULT_RETENTION;

        Builder() {}

        /**
         * Registers an event type; its class and name must be unique.
         *
         * @param eventType the event type
         * @return this builder
         */
        public Builder register(EventType<?> eventType) {
            eventTypes.add(Objects.requireNonNull(eventType, "eventType"));
            return this;
        }

        /**
         * Adds a sink with {@link SinkOptions#defaults()}. The tracker closes the sink when it closes.
         *
         * @param name the sink's name, matching {@link #SINK_NAME_PATTERN} and unique in the tracker
         * @param sink the sink; one instance is registered at most once (under one name)
         * @return this builder
         */
        public Builder sink(String name, Sink sink) {
            return sink(name, sink, SinkOptions.defaults());
        }

        /**
         * Adds a sink with its options. The tracker closes the sink when it closes.
         *
         * @param name the sink's name, matching {@link #SINK_NAME_PATTERN} and unique in the tracker
         * @param sink the sink; one instance is registered at most once (under one name)
         * @param options how the tracker feeds the sink
         * @return this builder
         */
        public Builder sink(String name, Sink sink, SinkOptions options) {
            Objects.requireNonNull(sink, "sink");
            Objects.requireNonNull(options, "options");
            if (sinks.containsKey(name)) {
                earlyViolations.add("sinks: the name '" + name + "' is used more than once");
            }
            sinks.put(name, sink);
            sinkOptions.put(name, options);
            return this;
        }

        /**
         * The retry policy for sinks whose options do not set their own. Default {@link RetryPolicy#defaults()}.
         *
         * @param retry the retry policy
         * @return this builder
         */
        public Builder retry(RetryPolicy retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /**
         * Where accepted events wait. Default {@link Journal#memory()}.
         *
         * @param journal the journal
         * @return this builder
         */
        public Builder journal(Journal journal) {
            this.journal = Objects.requireNonNull(journal, "journal");
            return this;
        }

        /**
         * Observes outcomes; default none.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(DeliveryListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Receives dead letters. Default: a {@link DeadLetterStore} of
         * {@link DeadLetterStore#DEFAULT_MAX_BYTES} — {@link DeadLetterStore#persistent persistent} in the
         * journal's directory ({@value DeadLetterStore#FILE_NAME}) with a {@link Journal#disk(java.nio.file.Path)
         * disk journal}, so dead letters survive restarts, and in memory with a memory journal. A handler
         * given here is the caller's to close.
         *
         * @param handler the dead-letter handler
         * @return this builder
         */
        public Builder deadLetterHandler(DeadLetterHandler handler) {
            this.deadLetterHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * Adds a static context entry (app, version, host …) written into every envelope.
         *
         * @param key the entry's key, not empty
         * @param value the entry's value
         * @return this builder
         */
        public Builder context(String key, String value) {
            context.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The Jackson mapper used to serialize events (register modules such as
         * {@code JavaTimeModule} on it). The tracker derives per-type writers from it and does not
         * modify it. Default: a plain {@code new ObjectMapper()}.
         *
         * @param objectMapper the mapper
         * @return this builder
         */
        public Builder objectMapper(ObjectMapper objectMapper) {
            this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
            return this;
        }

        /**
         * The clock for all time: timestamps, linger, backoff, timeouts. Default {@link Clock#system()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Runs the dispatcher, timers and (unless {@link #listenerExecutor} is set) listener
         * callbacks on this scheduler instead of the tracker's own threads. The caller owns it: the
         * tracker does not shut it down.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Runs listener, dead-letter and receipt callbacks; the caller owns it.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder listenerExecutor(Executor executor) {
            this.listenerExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Creates the tracker's own threads; default: daemon threads named {@code twinstream-*}.
         *
         * @param threadFactory the thread factory
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory threadFactory) {
            this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
            return this;
        }

        /**
         * The randomness for backoff jitter, used only on the dispatcher; default a new {@link Random}.
         *
         * @param random the source of randomness
         * @return this builder
         */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * How long {@link EventTracker#close()} may spend delivering what is pending: it flushes for
         * at most 90 % of it, and returns within it plus {@link #CLOSE_GRACE_MILLIS} (the grace is
         * for calls still in flight and for the listener to catch up). Default
         * {@link #DEFAULT_CLOSE_TIMEOUT}.
         *
         * @param closeTimeout the close timeout, 0 to 1 h
         * @return this builder
         */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
            return this;
        }

        /**
         * How long the {@linkplain EventTracker#ledger(String) delivery ledger} keeps an hour after it
         * ended; deliveries of events from an hour already dropped are not counted. Memory (and the
         * ledger file of a disk journal) stays below {@code retention / 1 h + 1} hours × destinations
         * × event types buckets per sink. Default {@link DeliveryLedger#DEFAULT_RETENTION} (7 days).
         *
         * @param retention between 1 hour and 400 days, or {@link Duration#ZERO} to keep no ledger (and
         *     spend nothing on it per event)
         * @return this builder
         */
        public Builder ledgerRetention(Duration retention) {
            this.ledgerRetention = Objects.requireNonNull(retention, "retention");
            return this;
        }

        /**
         * Validates everything and starts the tracker's threads.
         *
         * @return the running tracker
         * @throws ConfigurationException listing every violation with its field, allowed range and value
         */
        public EventTracker build() {
            List<String> violations = new ArrayList<>(earlyViolations);
            Validation v = new Validation(violations);
            if (sinks.isEmpty()) {
                violations.add("sinks: at least 1 sink is required but none was added");
            }
            v.range("sinks.count", sinks.size(), 0, MAX_SINKS);
            Map<Sink, String> nameOfInstance = new IdentityHashMap<>();
            for (Map.Entry<String, Sink> e : sinks.entrySet()) {
                String name = e.getKey();
                if (name == null || !SINK_NAME_PATTERN.matcher(name).matches()) {
                    violations.add("sinks: name must match " + SINK_NAME_PATTERN.pattern() + " but was '" + name + "'");
                }
                String first = nameOfInstance.putIfAbsent(e.getValue(), name);
                if (first != null) {
                    // Two cursors feeding one sink would interleave its batches and close it twice.
                    violations.add("sinks." + name + ": the same Sink instance is already registered as '" + first + "'");
                }
                v.sinkOptions("sinks." + name, sinkOptions.get(name), e.getValue().limits());
            }
            if (eventTypes.isEmpty()) {
                violations.add("eventTypes: at least 1 event type must be registered but none was");
            }
            Map<String, EventType<?>> byName = new LinkedHashMap<>();
            Map<Class<?>, EventType<?>> byClass = new LinkedHashMap<>();
            for (EventType<?> type : eventTypes) {
                if (byName.put(type.name(), type) != null) {
                    violations.add("eventTypes: the name '" + type.name() + "' is registered more than once");
                }
                if (byClass.put(type.javaType(), type) != null) {
                    violations.add("eventTypes: the class " + type.javaType().getName() + " is registered more than once");
                }
            }
            v.retry("retry", retry);
            v.journal("journal", journal);
            v.duration("closeTimeout", closeTimeout, Duration.ZERO, Duration.ofHours(1));
            if (!ledgerRetention.isZero()) {
                v.duration("ledgerRetention", ledgerRetention, Duration.ofHours(1), Duration.ofDays(400));
            }
            for (String key : context.keySet()) {
                if (key.isEmpty()) {
                    violations.add("context: keys must not be empty");
                }
            }
            TrackerSettings settings = TrackerSettings.builder()
                    .eventTypes(eventTypes)
                    .sinks(sinks, sinkOptions)
                    .retry(retry)
                    .journal(journal)
                    .listener(listener)
                    .deadLetterHandler(deadLetterHandler) // null: the tracker opens its default store
                    .context(context)
                    .objectMapper(objectMapper != null ? objectMapper : new ObjectMapper())
                    .clock(clock)
                    .scheduler(scheduler)
                    .listenerExecutor(listenerExecutor)
                    .threadFactory(threadFactory)
                    .random(random != null ? random : new Random())
                    .closeTimeout(closeTimeout)
                    .ledgerRetention(ledgerRetention)
                    .build();
            return TrackerEngine.start(settings, violations);
        }
    }
}
