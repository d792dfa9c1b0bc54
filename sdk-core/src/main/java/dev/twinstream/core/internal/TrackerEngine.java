package dev.twinstream.core.internal;

import dev.twinstream.core.BufferFullException;
import dev.twinstream.core.Clock;
import dev.twinstream.core.ConfigurationException;
import dev.twinstream.core.DeadLetter;
import dev.twinstream.core.DeadLetterStore;
import dev.twinstream.core.DeliveryLedger;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventRejectedException;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.EventType;
import dev.twinstream.core.RecordFormat;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.Scheduler;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.TrackedEvent;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.internal.dispatch.DeliveryLedgers;
import dev.twinstream.core.internal.dispatch.Dispatcher;
import dev.twinstream.core.internal.dispatch.LedgerDigest;
import dev.twinstream.core.internal.dispatch.Notifier;
import dev.twinstream.core.internal.dispatch.SinkChannel;
import dev.twinstream.core.internal.encode.CompiledType;
import dev.twinstream.core.internal.encode.EncodedEnvelope;
import dev.twinstream.core.internal.encode.EventIds;
import dev.twinstream.core.internal.encode.JsonLinesFormat;
import dev.twinstream.core.internal.encode.WallClock;
import dev.twinstream.core.internal.journal.DiskLog;
import dev.twinstream.core.internal.journal.EventLog;
import dev.twinstream.core.internal.journal.FileJournalStorage;
import dev.twinstream.core.internal.journal.JournalStorage;
import dev.twinstream.core.internal.journal.LogRecord;
import dev.twinstream.core.internal.journal.MemoryLog;
import dev.twinstream.core.internal.journal.Receipt;
import dev.twinstream.core.spi.Sink;
import dev.twinstream.core.spi.SinkLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EventTracker} implementation: the track pipeline (validate, enrich, key, encode,
 * append) on application threads, and the wiring of log, dispatcher, sink channels and notifier.
 */
public final class TrackerEngine implements EventTracker {
    private static final Logger LOG = LoggerFactory.getLogger(TrackerEngine.class);
    private static final EventRejectedException.Reason[] REJECT_REASONS = EventRejectedException.Reason.values();

    private final Clock clock;
    private final WallClock wallClock;
    private final Map<Class<?>, CompiledType> types = new ConcurrentHashMap<>();
    /**
     * The type of the previous event: a deliberately racy cache (not volatile). Any value a thread
     * sees is a fully built CompiledType (all its fields are final), so a stale one only costs a
     * map lookup.
     */
    private @Nullable CompiledType lastType;
    private final Map<Class<?>, CompiledType> registeredTypes;
    private final RecordFormat[] formats;
    private final SinkChannel[] channels;
    private final Map<String, Integer> sinkIndex;
    private final EventLog log;
    /** The same log when it is a disk journal, else null. */
    private final @Nullable DiskLog disk;
    private final dev.twinstream.core.Journal journal;
    private final long journalMaxBytes;
    private final Dispatcher dispatcher;
    private final Notifier notifier;
    /** The delivery ledger, or null when {@code ledgerRetention} is zero. */
    private final @Nullable DeliveryLedgers ledgers;
    private final EncodedEnvelope.TrackerContext context;
    private final dev.twinstream.core.spi.DeadLetterHandler deadLetterHandler;
    /** The default store this tracker opened (the application gave no handler), closed with it; else null. */
    private final @Nullable DeadLetterStore ownDeadLetterStore;
    private final Duration closeTimeout;
    private final OwnThreads.@Nullable DispatcherScheduler ownScheduler;
    private final @Nullable ThreadPoolExecutor ownListenerExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLongArray rejected = new AtomicLongArray(REJECT_REASONS.length);
    private final AtomicLong bufferFullRejections = new AtomicLong();

    private TrackerEngine(TrackerSettings s, List<String> violations) {
        this.clock = s.clock;
        this.wallClock = new WallClock(s.clock);
        this.closeTimeout = s.closeTimeout;
        this.context = new EncodedEnvelope.TrackerContext(s.context, s.objectMapper);

        SinkLayout layout = new SinkLayout(s);
        sinkIndex = layout.index;
        formats = layout.formats;
        String[] names = layout.names;
        int[] slots = layout.slots;
        int[] batchRecords = layout.batchRecords;
        long[] batchBytes = layout.batchBytes;
        long[] lingerNanos = layout.lingerNanos;
        int sinkCount = names.length;

        registeredTypes = new LinkedHashMap<>();
        for (EventType<?> type : s.eventTypes) {
            registeredTypes.put(type.javaType(), CompiledType.compile(type, s.objectMapper, sinkIndex, slots,
                    layout.maxKeyChars, layout.maxRecordBytes, violations));
        }
        if (!violations.isEmpty()) {
            throw new ConfigurationException(violations);
        }
        types.putAll(registeredTypes);

        // Threads: the caller's scheduler/executor, or our own daemon threads.
        int trackerNumber = OwnThreads.nextTrackerNumber();
        Scheduler scheduler = s.scheduler;
        if (scheduler == null) {
            ThreadFactory tf = s.threadFactory != null ? s.threadFactory : OwnThreads.namedDaemons("dispatcher", trackerNumber);
            ownScheduler = new OwnThreads.DispatcherScheduler(tf);
            scheduler = ownScheduler;
        } else {
            ownScheduler = null;
        }
        Executor listenerExecutor = s.listenerExecutor;
        if (listenerExecutor == null && s.scheduler != null) {
            listenerExecutor = s.scheduler;
        }
        if (listenerExecutor == null) {
            ThreadFactory tf = s.threadFactory != null ? s.threadFactory : OwnThreads.namedDaemons("listener", trackerNumber);
            ownListenerExecutor = OwnThreads.listenerExecutor(tf);
        } else {
            ownListenerExecutor = null;
        }

        journalMaxBytes = s.journal.maxBytes();
        journal = s.journal;
        LogEvents logEvents = new LogEvents();
        long ledgerRetentionMillis = s.ledgerRetention.toMillis();
        if (s.journal.kind() == dev.twinstream.core.Journal.Kind.DISK) {
            disk = openDisk(s, logEvents, names, slots, batchRecords, batchBytes, ledgerRetentionMillis);
            log = disk;
        } else {
            disk = null;
            log = new MemoryLog(clock, journalMaxBytes, s.journal.perSinkQuotaBytes(), s.journal.overflow(), logEvents, slots,
                    batchRecords, batchBytes);
        }
        if (ledgerRetentionMillis > 0) {
            ledgers = new DeliveryLedgers(names, clock, ledgerRetentionMillis, disk == null ? null : disk.ledgerFile());
            if (disk != null) {
                disk.checkpointHook(ledgers); // before the writer starts (afterRecovery)
            }
        } else {
            ledgers = null;
        }
        // The default dead-letter store of a disk journal lives in the journal's directory: opened
        // only now that the journal holds the directory's lock, so a tracker refused by the lock
        // never touches the file.
        ownDeadLetterStore = s.deadLetterHandler == null ? defaultDeadLetterStore(s) : null;
        deadLetterHandler = ownDeadLetterStore != null ? ownDeadLetterStore : s.deadLetterHandler;
        notifier = ownListenerExecutor != null
                ? Notifier.onOwnThread(s.listener, deadLetterHandler, ownListenerExecutor, OwnThreads.LISTENER_QUEUE_TASKS)
                : Notifier.onCallersExecutor(s.listener, deadLetterHandler, listenerExecutor);
        dispatcher = new Dispatcher(scheduler, clock, log, s.random);
        channels = new SinkChannel[sinkCount];
        int i = 0;
        for (Map.Entry<String, Sink> e : s.sinks.entrySet()) {
            SinkOptions options = s.sinkOptions.get(e.getKey());
            RetryPolicy retry = options.retry() != null ? options.retry() : s.retry;
            channels[i] = new SinkChannel(i, names[i], e.getValue(), slots[i], batchRecords[i], batchBytes[i],
                    lingerNanos[i], options, retry, log, notifier, dispatcher, ledgers);
            i++;
        }
        dispatcher.setChannels(channels);
        logEvents.bind(channels, dispatcher, notifier);
        if (disk != null) {
            afterRecovery(s, trackerNumber);
        }
    }

    /**
     * Where each sink sits: its index and name, its format's slot (one slot per distinct format, so
     * an event is encoded once per format) and its effective limits (the sink's own where the options
     * say {@link SinkOptions#SINK_LIMIT}) and linger (the sink's default latency budget where the
     * options say {@link SinkOptions#SINK_DEFAULT_LINGER}).
     */
    private static final class SinkLayout {
        final Map<String, Integer> index = new LinkedHashMap<>();
        final String[] names;
        final int[] slots;
        final int[] batchRecords;
        final long[] batchBytes;
        final long[] lingerNanos;
        final int[] maxKeyChars;
        final int[] maxRecordBytes;
        final RecordFormat[] formats;

        SinkLayout(TrackerSettings s) {
            int sinkCount = s.sinks.size();
            names = new String[sinkCount];
            slots = new int[sinkCount];
            batchRecords = new int[sinkCount];
            batchBytes = new long[sinkCount];
            lingerNanos = new long[sinkCount];
            maxKeyChars = new int[sinkCount];
            maxRecordBytes = new int[sinkCount];
            Map<RecordFormat, Integer> slotByFormat = new LinkedHashMap<>();
            int i = 0;
            for (Map.Entry<String, Sink> e : s.sinks.entrySet()) {
                SinkOptions options = s.sinkOptions.get(e.getKey());
                SinkLimits limits = e.getValue().limits();
                names[i] = e.getKey();
                index.put(names[i], i);
                Integer slot = slotByFormat.get(options.format());
                if (slot == null) {
                    slot = slotByFormat.size();
                    slotByFormat.put(options.format(), slot);
                }
                slots[i] = slot;
                batchRecords[i] = options.maxBatchRecords() == SinkOptions.SINK_LIMIT
                        ? limits.maxRecordsPerBatch() : options.maxBatchRecords();
                batchBytes[i] = options.maxBatchBytes() == SinkOptions.SINK_LIMIT
                        ? limits.maxBytesPerBatch() : options.maxBatchBytes();
                lingerNanos[i] = (options.linger().equals(SinkOptions.SINK_DEFAULT_LINGER)
                        ? limits.defaultLinger() : options.linger()).toNanos();
                maxKeyChars[i] = limits.maxPartitionKeyChars();
                maxRecordBytes[i] = (int) Math.min(limits.maxBytesPerRecord(), batchBytes[i]);
                i++;
            }
            formats = slotByFormat.keySet().toArray(new RecordFormat[0]);
        }
    }

    private DiskLog openDisk(TrackerSettings s, LogEvents logEvents, String[] names, int[] slots, int[] batchRecords,
                             long[] batchBytes, long ledgerRetentionMillis) {
        DiskLog.Config c = new DiskLog.Config();
        c.clock = clock;
        c.maxBytes = journalMaxBytes;
        c.quotaBytes = s.journal.perSinkQuotaBytes();
        c.overflow = s.journal.overflow();
        c.fsync = s.journal.fsync().orElse(dev.twinstream.core.FsyncPolicy.always());
        c.segmentBytes = s.journal.segmentBytes();
        c.memoryBytes = s.journal.memoryBytes();
        c.observer = logEvents;
        c.sinkNames = names;
        c.slots = slots;
        c.wakeRecords = batchRecords;
        c.wakeBytes = batchBytes;
        c.ledgerRetentionMillis = ledgerRetentionMillis;
        java.nio.file.Path dir = s.journal.directory().orElseThrow(IllegalStateException::new);
        JournalStorage storage;
        try {
            storage = new FileJournalStorage(dir);
        } catch (IOException e) {
            throw new ConfigurationException(java.util.Collections.singletonList(
                    "journal.directory: cannot create " + dir + " (" + e + ")"));
        }
        return DiskLog.open(c, storage);
    }

    /**
     * The handler when the application gave none: a {@link DeadLetterStore} persistent in the disk
     * journal's directory, or in memory with a memory journal. A store that cannot be opened fails
     * the build, after releasing the journal this tracker will not use.
     */
    private DeadLetterStore defaultDeadLetterStore(TrackerSettings s) {
        if (disk == null) {
            return new DeadLetterStore(DeadLetterStore.DEFAULT_MAX_BYTES, clock);
        }
        java.nio.file.Path dir = s.journal.directory().orElseThrow(IllegalStateException::new);
        try {
            return DeadLetterStore.persistent(dir, DeadLetterStore.DEFAULT_MAX_BYTES, clock);
        } catch (IOException | RuntimeException e) {
            disk.shutdown(0);
            throw new ConfigurationException(java.util.Collections.singletonList(
                    "deadLetterHandler: cannot open the default dead-letter store in " + dir + " ("
                            + (e.getMessage() != null ? e.getMessage() : e.toString()) + ")"));
        }
    }

    /**
     * Reports the recovery and starts the writer. What the journal restored counts as accepted again
     * (the log counts every record it stores), so conservation holds across restarts.
     */
    private void afterRecovery(TrackerSettings s, int trackerNumber) {
        dev.twinstream.core.JournalRecovery recovery = disk.recovery();
        if (recovery.hasDamage()) {
            LOG.warn("Twinstream disk journal {} recovered with damage skipped: {}",
                    s.journal.directory().orElse(null), recovery);
        } else if (recovery.recordsReplayed() > 0) {
            LOG.info("Twinstream disk journal {} recovered {} pending events", s.journal.directory().orElse(null),
                    recovery.recordsReplayed());
        }
        notifier.journalRecovered(recovery);
        ThreadFactory tf = s.threadFactory != null ? s.threadFactory : OwnThreads.namedDaemons("journal", trackerNumber);
        disk.start(tf);
        if (recovery.recordsReplayed() > 0) {
            dispatcher.signal();
        }
    }

    /** Builds and starts a tracker, or throws a {@link ConfigurationException} with every violation. */
    public static EventTracker start(TrackerSettings settings, List<String> violations) {
        return new TrackerEngine(settings, violations);
    }

    @Override
    public String track(Object event) {
        return accept(event, false).eventId;
    }

    @Override
    public CompletableFuture<TrackedEvent> trackWithReceipt(Object event) {
        return accept(event, true).receipt.future;
    }

    @Override
    public String trackDurable(Object event) {
        if (disk == null) {
            throw new UnsupportedOperationException("trackDurable needs a disk journal (Journal.disk(directory)); "
                    + "a memory journal never makes an event durable");
        }
        if (journal.fsync().map(f -> f.kind() == dev.twinstream.core.FsyncPolicy.Kind.NEVER).orElse(false)) {
            throw new UnsupportedOperationException("trackDurable needs an fsync policy of ALWAYS or INTERVAL; "
                    + "under NEVER the journal never forces, so no event becomes durable");
        }
        LogRecord record = accept(event, false);
        if (record.seq < 0) {
            throw new dev.twinstream.core.NotDurableException(record.eventId, false, "event " + record.eventId
                    + " was dropped by the overflow policy and is not in the journal");
        }
        if (!disk.awaitDurable(record.seq, journal.durableTimeout().toNanos())) {
            IOException cause = disk.failure();
            throw new dev.twinstream.core.NotDurableException(record.eventId, true, "event " + record.eventId
                    + " was accepted but not confirmed durable within " + journal.durableTimeout()
                    + (cause == null ? "" : "; the journal cannot write: " + cause.getMessage()));
        }
        return record.eventId;
    }

    private LogRecord accept(Object event, boolean withReceipt) {
        if (event == null) {
            throw new NullPointerException("event must not be null");
        }
        if (closed.get()) {
            throw new IllegalStateException("EventTracker is closed");
        }
        LogRecord record;
        try {
            record = encode(event, withReceipt);
        } catch (EventRejectedException e) {
            rejected.incrementAndGet(e.reason().ordinal());
            throw e;
        }
        append(record);
        return record;
    }

    private LogRecord encode(Object event, boolean withReceipt) {
        CompiledType type = typeOf(event.getClass());
        type.validate(event);
        long acceptedNanos = clock.nanoTime();
        long occurredAt = wallClock.epochMillisAt(acceptedNanos);
        byte[] eventIdAscii = EventIds.nextAscii(occurredAt);
        String eventId = new String(eventIdAscii, StandardCharsets.ISO_8859_1);
        String key = type.partitionKey(event, eventId);
        String routingKey = type.routingKey(event);
        EncodedEnvelope envelope = new EncodedEnvelope(type, eventIdAscii, eventId, occurredAt, key, routingKey, event, context);
        if (type.slots.length > 1 || formats[type.slots[0]] != JsonLinesFormat.INSTANCE) {
            envelope.dataJson(); // serialize once, up front, for every format to share
        }
        byte[][] payloads = new byte[formats.length][];
        for (int k = 0; k < type.slots.length; k++) {
            int slot = type.slots[k];
            try {
                payloads[slot] = formats[slot].encode(envelope);
            } catch (EventRejectedException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw type.reject(EventRejectedException.Reason.NOT_SERIALIZABLE,
                        "record format " + formats[slot] + " could not encode it: " + e, e);
            }
            type.checkSize(k, payloads[slot].length);
        }
        LogRecord record = new LogRecord(eventId, type.name, key, routingKey, occurredAt, acceptedNanos, payloads, type.sinkMask,
                withReceipt ? new Receipt(type.sinkMask) : null);
        if (ledgers != null) {
            // Once per event on the producer's thread (it scales with the application's cores), not per sink
            // on the one dispatcher.
            record.ledgerTerm = LedgerDigest.term(eventIdAscii);
        }
        checkJournalSize(type, record);
        return record;
    }

    private void checkJournalSize(CompiledType type, LogRecord record) {
        if (record.heapBytes() > journalMaxBytes) { // what the journal counts for it
            throw type.reject(EventRejectedException.Reason.TOO_LARGE, "it encodes to " + record.sizeBytes
                    + " bytes, which with the " + LogRecord.HEAP_OVERHEAD_BYTES + " bytes the journal counts per event is more"
                    + " than the whole journal (" + journalMaxBytes + " bytes)", null);
        }
    }

    private CompiledType typeOf(Class<?> cls) {
        CompiledType last = lastType;
        if (last != null && last.javaType == cls) {
            return last; // most trackers see long runs of one type
        }
        CompiledType type = types.get(cls);
        if (type != null) {
            lastType = type;
            return type;
        }
        // A subclass of a registered class: use the nearest registered ancestor, and remember it.
        for (Class<?> c = cls.getSuperclass(); c != null; c = c.getSuperclass()) {
            type = registeredTypes.get(c);
            if (type != null) {
                types.put(cls, type);
                return type;
            }
        }
        throw new EventRejectedException(EventRejectedException.Reason.UNREGISTERED_TYPE, cls.getName(),
                "Event of class " + cls.getName() + " rejected: no EventType is registered for it (registered: "
                        + registeredTypes.keySet() + "); register one with EventTracker.builder().register(...)", null);
    }

    /**
     * Appends; the log's count of what it stored, plus the drops it reports, is what the sinks'
     * metrics call accepted (see {@link SinkCounters}).
     */
    private boolean append(LogRecord record) {
        try {
            return log.append(record);
        } catch (BufferFullException e) {
            bufferFullRejections.incrementAndGet();
            throw e;
        }
    }

    @Override
    public int replay(Collection<DeadLetter> deadLetters) {
        if (closed.get()) {
            throw new IllegalStateException("EventTracker is closed");
        }
        List<LogRecord> records = new ArrayList<>(deadLetters.size());
        for (DeadLetter dl : deadLetters) {
            Integer index = sinkIndex.get(dl.sink());
            if (index == null) {
                throw new IllegalArgumentException("dead letter " + dl.eventId() + " names sink '" + dl.sink()
                        + "', which this tracker does not have (sinks: " + sinkIndex.keySet() + ")");
            }
            byte[][] payloads = new byte[formats.length][];
            payloads[channels[index].slot] = dl.payload();
            records.add(new LogRecord(dl.eventId(), dl.eventType(), dl.partitionKey(), dl.routingKey(), dl.occurredAtMillis(),
                    clock.nanoTime(), payloads, 1 << index, null));
        }
        int appended = 0;
        for (LogRecord r : records) {
            if (append(r)) {
                appended++;
            }
        }
        return appended;
    }

    @Override
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        // Final outcomes first, then the notifications about them: the dead-letter store and the
        // listener hear on the listener thread, after the counters moved.
        return await(flushAsync(timeout), timeout.toNanos()) && notifier.awaitDelivered(deadline);
    }

    @Override
    public CompletableFuture<Boolean> flushAsync(Duration timeout) {
        if (isIdle()) {
            return CompletableFuture.completedFuture(true);
        }
        return dispatcher.flush(timeout.toNanos());
    }

    private boolean isIdle() {
        for (SinkChannel channel : channels) {
            if (channel.counters.pendingRecords() != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Waits for {@code future} at most {@code nanos} of real time as well: the clock-based timeout
     * inside the future does not fire on a virtual scheduler that nobody advances.
     */
    private static boolean await(CompletableFuture<Boolean> future, long nanos) {
        try {
            return future.get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            LOG.warn("Twinstream flush failed", e.getCause());
            return false;
        }
    }

    @Override
    public TrackerMetrics metrics() {
        long now = clock.nanoTime();
        Map<String, SinkMetrics> sinks = new LinkedHashMap<>();
        for (SinkChannel channel : channels) {
            sinks.put(channel.name, channel.counters.snapshot(now));
        }
        Map<EventRejectedException.Reason, Long> rejectedByReason = new EnumMap<>(EventRejectedException.Reason.class);
        for (EventRejectedException.Reason reason : REJECT_REASONS) {
            rejectedByReason.put(reason, rejected.get(reason.ordinal()));
        }
        if (disk != null) {
            return new TrackerMetrics(sinks, rejectedByReason, bufferFullRejections.get(), log.sizeBytes(), journalMaxBytes,
                    disk.durableRecords(), disk.forces(), disk.forcedBytes(), disk.writeFailures(), disk.recovery(),
                    notifier.undelivered());
        }
        return new TrackerMetrics(sinks, rejectedByReason, bufferFullRejections.get(), log.sizeBytes(), journalMaxBytes,
                0, 0, 0, 0, dev.twinstream.core.JournalRecovery.none(), notifier.undelivered());
    }

    @Override
    public DeliveryLedger ledger(String sink) {
        Integer index = sinkIndex.get(sink);
        if (index == null) {
            throw new IllegalArgumentException("the tracker has no sink '" + sink + "' (sinks: " + sinkIndex.keySet() + ")");
        }
        return ledgers == null ? DeliveryLedger.empty() : ledgers.snapshot(index);
    }

    @Override
    public DeadLetterStore deadLetterStore() {
        if (deadLetterHandler instanceof DeadLetterStore) {
            return (DeadLetterStore) deadLetterHandler;
        }
        throw new IllegalStateException("a custom DeadLetterHandler (" + deadLetterHandler.getClass().getName()
                + ") receives this tracker's dead letters; there is no DeadLetterStore");
    }

    /**
     * Closes in this order, every wait bounded by {@code closeTimeout} + {@link EventTracker.Builder#CLOSE_GRACE_MILLIS}
     * from the start:
     * <ol>
     *   <li>stop accepting; from now on nobody waits for room in the listener's queue (the journal is
     *       closed, so what can still be reported is bounded by what it holds);
     *   <li>flush for at most 90 % of the close timeout (the rest is for stopping threads and sinks);
     *   <li>stop sending, and wait for the calls still in flight — until the close timeout plus half
     *       the grace at the latest — applying each completion as what it was (delivered,
     *       dead-lettered; a record it would retry is dropped, or stays pending in a disk journal);
     *   <li>stop the dispatcher: what is still pending is dropped ({@code CLOSED_BEFORE_DELIVERY}) or,
     *       with a disk journal, left in it; the receipts of the latter fail;
     *   <li>shut the disk journal down, close the sinks;
     *   <li>wait for the listener thread to run every notification decided so far; take back what it
     *       did not run by the bound: receipts are completed here, the rest counted in
     *       {@link TrackerMetrics#undeliveredNotifications()} and logged;
     *   <li>stop the tracker's threads.
     * </ol>
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        long budget = closeTimeout.toNanos();
        long graceNanos = TimeUnit.MILLISECONDS.toNanos(EventTracker.Builder.CLOSE_GRACE_MILLIS);
        // Calls in flight get the first half of the grace, so the listener always has the second
        // half to hear what their completions and the final drops decide.
        long callsDeadline = start + budget + graceNanos / 2;
        long deadline = start + budget + graceNanos;
        log.close();
        notifier.closing();
        // Keep a tenth of the budget for stopping threads and sinks.
        boolean flushed = flush(Duration.ofNanos(budget - budget / 10));
        // A disk journal keeps what is still pending for the next tracker instead of dropping it.
        DropReason reason = disk == null ? DropReason.CLOSED_BEFORE_DELIVERY : null;
        dispatcher.stopSending(reason);
        dispatcher.awaitCalls(callsDeadline);
        int abandonedCalls = dispatcher.stop(reason);
        if (abandonedCalls > 0) {
            LOG.warn("Twinstream tracker closed with {} sink call(s) still in flight {} ms after the close timeout; "
                    + "their events were {} (the destination may still have stored them)", abandonedCalls,
                    EventTracker.Builder.CLOSE_GRACE_MILLIS / 2,
                    disk == null ? "counted as dropped (CLOSED_BEFORE_DELIVERY)" : "left pending in the disk journal");
        }
        if (disk != null) {
            disk.shutdown(Math.max(0, deadline - System.nanoTime()));
        }
        for (SinkChannel channel : channels) {
            try {
                channel.sink.close();
            } catch (RuntimeException e) {
                LOG.warn("Twinstream sink '{}' failed to close", channel.name, e);
            }
        }
        long undelivered = notifier.awaitDelivered(deadline) ? 0 : notifier.abandon();
        if (ownListenerExecutor != null) {
            ownListenerExecutor.shutdown();
            awaitTermination(ownListenerExecutor, deadline);
        }
        if (ownScheduler != null) {
            ownScheduler.executor.shutdownNow();
            awaitTermination(ownScheduler.executor, deadline);
        }
        if (ownDeadLetterStore != null) {
            ownDeadLetterStore.close(); // after the listener ran its last dead letters; later ones stay in memory
        }
        if (undelivered > 0) {
            LOG.warn("Twinstream listener did not keep up: {} notification(s) (DeliveryListener or DeadLetterHandler "
                    + "calls) were not run within the close timeout plus the close grace of {} ms; counted in "
                    + "TrackerMetrics.undeliveredNotifications(); every receipt was completed", undelivered,
                    EventTracker.Builder.CLOSE_GRACE_MILLIS);
        }
        if (!flushed) {
            LOG.warn("Twinstream tracker closed before everything was delivered: {}", metrics());
        }
    }

    private static void awaitTermination(java.util.concurrent.ExecutorService executor, long deadline) {
        try {
            if (!executor.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }
}
