package dev.twinstream.micrometer;

import dev.twinstream.core.Clock;
import dev.twinstream.core.DropReason;
import dev.twinstream.core.EventRejectedException;
import dev.twinstream.core.EventTracker;
import dev.twinstream.core.JournalRecovery;
import dev.twinstream.core.SinkMetrics;
import dev.twinstream.core.TrackerMetrics;
import dev.twinstream.core.spi.DestinationMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Statistic;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Binds an {@link EventTracker}'s metrics to a Micrometer {@link MeterRegistry}: per sink (tag
 * {@code sink}) the outcome counters, pending records and bytes, in-flight requests, the age of the
 * oldest pending event and the batch-size distribution; per destination of a sink that reports
 * {@link DestinationMetrics} (tags {@code sink} and {@code destination}); and tracker-wide the
 * rejections and the journal's figures. {@code docs/MICROMETER.md} lists every meter.
 *
 * <pre>{@code
 * new TwinstreamMetrics(tracker, Tags.of("tracker", "orders")).bindTo(registry);
 *
 * // with a Firehose sink's per-stream counts, and a longer snapshot reuse
 * TwinstreamMetrics.builder(tracker)
 *         .tags(Tags.of("tracker", "orders"))
 *         .destinations("backup", backupFirehoseSink)
 *         .snapshotTtl(Duration.ofSeconds(5))
 *         .build()
 *         .bindTo(registry);
 * }</pre>
 * In Spring Boot, declare the binder as a {@code MeterBinder} bean; Boot binds it to its registry.
 *
 * <p><b>Cost.</b> Binding adds nothing to {@code track()} or to the dispatcher: the meters read the
 * counters the tracker keeps anyway, through {@link EventTracker#metrics()}. Because one
 * {@code metrics()} call builds a snapshot of every sink, all meters of a binder share one snapshot
 * and take a new one only when it is older than the {@linkplain Builder#snapshotTtl(Duration) time to
 * live} ({@value #DEFAULT_SNAPSHOT_TTL_MILLIS} ms by default): a scrape costs one snapshot, and the
 * values a scrape reads are consistent with each other. The per-destination counters are read
 * directly from the sink.
 *
 * <p><b>Lifecycle.</b> The sinks' meters are registered by {@link #bindTo}, since a tracker's sinks
 * are fixed when it is built; a destination a sink first reports after that (a delivery stream only
 * a router names) gets its meters when the next snapshot is taken. Like Micrometer's own binders,
 * the binder holds the tracker strongly and the meters hold it (and the destination sinks) weakly:
 * once the application drops the tracker and it is collected, the gauges and summaries read
 * {@code NaN} and the counters keep their last value (as Micrometer's function counters do). After
 * {@link EventTracker#close()} the meters keep reading the tracker's final figures and never throw;
 * if {@code metrics()} ever throws, they keep the last snapshot.
 *
 * <p>Thread-safe; one binder may be bound to several registries.
 */
public final class TwinstreamMetrics implements MeterBinder {
    /** The default {@linkplain Builder#snapshotTtl(Duration) snapshot time to live}, in milliseconds. */
    public static final long DEFAULT_SNAPSHOT_TTL_MILLIS = 1000;
    /**
     * The default largest finite bucket bound of the batch-size histogram
     * ({@link Builder#batchSizeBuckets(int)}): 65,536 records, above the largest batch of any
     * Twinstream sink (50,000 events with Firehose packing).
     */
    public static final int DEFAULT_BATCH_SIZE_BUCKETS = 65_536;

    private static final String SINK = "sink";
    private static final String DESTINATION = "destination";
    private static final String REASON = "reason";
    private static final DropReason[] DROP_REASONS = DropReason.values();
    private static final EventRejectedException.Reason[] REJECT_REASONS = EventRejectedException.Reason.values();

    private final EventTracker tracker;
    private final Tags tags;
    private final Map<String, DestinationMetrics> destinations;
    private final int batchSizeBuckets;
    private final SnapshotCache cache;
    /** One per registry and destination sink; checked for new destinations after each snapshot. */
    private final List<DestinationBinding> destinationBindings = new CopyOnWriteArrayList<>();

    /**
     * A binder with no extra tags and the defaults.
     *
     * @param tracker the tracker to publish
     */
    public TwinstreamMetrics(EventTracker tracker) {
        this(builder(tracker));
    }

    /**
     * A binder that adds {@code tags} to every meter, with the defaults otherwise.
     *
     * @param tracker the tracker to publish
     * @param tags tags for every meter, for example the tracker's name when an application has several
     */
    public TwinstreamMetrics(EventTracker tracker, Iterable<Tag> tags) {
        this(builder(tracker).tags(tags));
    }

    private TwinstreamMetrics(Builder b) {
        this.tracker = b.tracker;
        this.tags = b.tags;
        this.destinations = Collections.unmodifiableMap(new LinkedHashMap<>(b.destinations));
        this.batchSizeBuckets = b.batchSizeBuckets;
        this.cache = new SnapshotCache(b.clock, b.snapshotTtl.toNanos(), newDestinationsHook(destinationBindings));
    }

    /**
     * Starts configuring a binder.
     *
     * @param tracker the tracker to publish
     * @return a builder with the defaults
     */
    public static Builder builder(EventTracker tracker) {
        return new Builder(tracker);
    }

    /**
     * Registers every meter of the tracker with {@code registry}. Binding the same binder to the same
     * registry again registers nothing new.
     *
     * @param registry the registry
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        TrackerMetrics now = tracker.metrics();
        WeakReference<EventTracker> ref = new WeakReference<>(tracker);
        for (String sink : now.sinks().keySet()) {
            bindSink(registry, sink, ref);
        }
        bindTracker(registry);
        for (Map.Entry<String, DestinationMetrics> e : destinations.entrySet()) {
            addDestinationBinding(registry, tags.and(SINK, e.getKey()), e.getValue());
        }
    }

    private synchronized void addDestinationBinding(MeterRegistry registry, Tags sinkTags, DestinationMetrics source) {
        for (DestinationBinding existing : destinationBindings) {
            if (existing.registry == registry && existing.sinkTags.equals(sinkTags)) {
                existing.registerNew();
                return; // bound to this registry before
            }
        }
        DestinationBinding binding = new DestinationBinding(registry, sinkTags, source);
        binding.registerNew();
        destinationBindings.add(binding);
    }

    private void bindSink(MeterRegistry registry, String sink, WeakReference<EventTracker> ref) {
        SnapshotCache c = cache;
        Tags sinkTags = tags.and(SINK, sink);
        sinkCounter(registry, "twinstream.sink.accepted", "Events accepted for the sink", sinkTags, sink,
                SinkMetrics::accepted);
        sinkCounter(registry, "twinstream.sink.delivered", "Events the sink's destination accepted", sinkTags, sink,
                SinkMetrics::delivered);
        sinkCounter(registry, "twinstream.sink.retried", "Retries scheduled (an event retried three times counts three)",
                sinkTags, sink, SinkMetrics::retried);
        sinkCounter(registry, "twinstream.sink.dead.lettered", "Events handed to dead-letter handling", sinkTags, sink,
                SinkMetrics::deadLettered);
        for (DropReason reason : DROP_REASONS) {
            sinkCounter(registry, "twinstream.sink.dropped", "Events dropped, by reason", sinkTags.and(REASON, tagValue(reason)),
                    sink, m -> m.droppedByReason().get(reason));
        }
        sinkGauge(registry, "twinstream.sink.pending", BaseUnits.EVENTS,
                "Events accepted and not yet delivered, dead-lettered or dropped", sinkTags, sink, SinkMetrics::pendingRecords);
        sinkGauge(registry, "twinstream.sink.pending.bytes", BaseUnits.BYTES, "Payload bytes of the pending events",
                sinkTags, sink, SinkMetrics::pendingBytes);
        sinkGauge(registry, "twinstream.sink.in.flight", "requests", "send calls outstanding", sinkTags, sink,
                SinkMetrics::inFlightRequests);
        TimeGauge.builder("twinstream.sink.oldest.pending.age", tracker, TimeUnit.NANOSECONDS,
                        t -> sinkValue(c, t, sink, m -> m.oldestPendingAge().toNanos()))
                .tags(sinkTags).description("How long the oldest pending event has been waiting; 0 when none")
                .register(registry);
        Meter.builder("twinstream.sink.batch.size", Meter.Type.DISTRIBUTION_SUMMARY, Arrays.asList(
                        new Measurement(() -> sinkValue(c, ref.get(), sink, SinkMetrics::batchesSent), Statistic.COUNT),
                        new Measurement(() -> sinkValue(c, ref.get(), sink, SinkMetrics::batchRecordsSent), Statistic.TOTAL)))
                .tags(sinkTags).baseUnit(BaseUnits.EVENTS)
                .description("Events per send call (count: calls, including retries; total: events in them)")
                .register(registry);
        Meter.builder("twinstream.sink.batch.bytes", Meter.Type.DISTRIBUTION_SUMMARY, Arrays.asList(
                        new Measurement(() -> sinkValue(c, ref.get(), sink, SinkMetrics::batchesSent), Statistic.COUNT),
                        new Measurement(() -> sinkValue(c, ref.get(), sink, SinkMetrics::batchBytesSent), Statistic.TOTAL)))
                .tags(sinkTags).baseUnit(BaseUnits.BYTES)
                .description("Payload bytes per send call (count: calls, including retries; total: bytes in them)")
                .register(registry);
        if (batchSizeBuckets > 0) {
            int last = 32 - Integer.numberOfLeadingZeros(batchSizeBuckets - 1); // smallest 2^last >= batchSizeBuckets
            for (int bucket = 0; bucket <= last; bucket++) {
                batchBucket(registry, sinkTags, sink, Long.toString(SinkMetrics.batchRecordsBucketUpperBound(bucket)), bucket);
            }
            batchBucket(registry, sinkTags, sink, "+Inf", SinkMetrics.BATCH_RECORDS_BUCKETS - 1);
        }
    }

    private void batchBucket(MeterRegistry registry, Tags sinkTags, String sink, String le, int upToBucket) {
        SnapshotCache c = cache;
        FunctionCounter.builder("twinstream.sink.batch.size.histogram", tracker,
                        t -> sinkValue(c, t, sink, m -> cumulative(m.batchRecordsHistogram(), upToBucket)))
                .tags(sinkTags.and("le", le))
                .description("Send calls of at most le events (cumulative buckets of twinstream.sink.batch.size)")
                .register(registry);
    }

    private static long cumulative(List<Long> histogram, int upToBucket) {
        long sum = 0;
        for (int i = 0; i <= upToBucket; i++) {
            sum += histogram.get(i);
        }
        return sum;
    }

    private void bindTracker(MeterRegistry registry) {
        for (EventRejectedException.Reason reason : REJECT_REASONS) {
            trackerCounter(registry, "twinstream.tracker.rejected", BaseUnits.EVENTS,
                    "Events track() rejected with EventRejectedException, by reason", tags.and(REASON, tagValue(reason)),
                    m -> m.rejectedByReason().get(reason));
        }
        trackerCounter(registry, "twinstream.tracker.buffer.full", BaseUnits.EVENTS,
                "Events track() refused with BufferFullException", tags, TrackerMetrics::bufferFullRejections);
        trackerCounter(registry, "twinstream.tracker.notifications.undelivered", null,
                "Listener and dead-letter notifications close() could not deliver in time", tags,
                TrackerMetrics::undeliveredNotifications);
        trackerGauge(registry, "twinstream.journal.used", BaseUnits.BYTES, "Bytes the journal holds",
                TrackerMetrics::journalBytes);
        trackerGauge(registry, "twinstream.journal.max", BaseUnits.BYTES, "The journal's capacity",
                TrackerMetrics::journalMaxBytes);
        trackerCounter(registry, "twinstream.journal.durable", BaseUnits.EVENTS,
                "Events the disk journal forced to storage", tags, TrackerMetrics::durableRecords);
        trackerCounter(registry, "twinstream.journal.forces", null, "Calls to force (fsync) on journal segments", tags,
                TrackerMetrics::journalForces);
        trackerCounter(registry, "twinstream.journal.forced", BaseUnits.BYTES, "Segment bytes made durable by forces",
                tags, TrackerMetrics::journalForcedBytes);
        trackerCounter(registry, "twinstream.journal.write.failures", null,
                "Write cycles of the disk journal that failed and were retried", tags, TrackerMetrics::journalWriteFailures);
        recoveryGauge(registry, "twinstream.journal.recovery.segments", "files", "Segment files read when the journal opened",
                JournalRecovery::segments);
        recoveryGauge(registry, "twinstream.journal.recovery.scanned", BaseUnits.BYTES,
                "Segment bytes read when the journal opened", JournalRecovery::bytesScanned);
        recoveryGauge(registry, "twinstream.journal.recovery.recovered", BaseUnits.EVENTS,
                "Intact records found when the journal opened", JournalRecovery::recordsRecovered);
        recoveryGauge(registry, "twinstream.journal.recovery.replayed", BaseUnits.EVENTS,
                "Recovered records that a sink had not committed, queued again", JournalRecovery::recordsReplayed);
        recoveryGauge(registry, "twinstream.journal.recovery.frames.skipped", null, "Damaged frames skipped",
                JournalRecovery::framesSkipped);
        recoveryGauge(registry, "twinstream.journal.recovery.skipped", BaseUnits.BYTES,
                "Bytes skipped inside segments because they did not validate", JournalRecovery::bytesSkipped);
        recoveryGauge(registry, "twinstream.journal.recovery.truncated", BaseUnits.BYTES, "Bytes cut off segment ends",
                JournalRecovery::bytesTruncated);
        recoveryGauge(registry, "twinstream.journal.recovery.checkpoint.damaged", null,
                "1 if the checkpoint file was damaged (sinks replayed everything on disk), else 0",
                r -> r.checkpointDamaged() ? 1 : 0);
    }

    // ------------------------------------------------------------------------------------ helpers

    private void sinkCounter(MeterRegistry registry, String name, String description, Tags meterTags, String sink,
                             ToDoubleFunction<SinkMetrics> value) {
        SnapshotCache c = cache;
        FunctionCounter.builder(name, tracker, t -> sinkValue(c, t, sink, value))
                .tags(meterTags).baseUnit(BaseUnits.EVENTS).description(description).register(registry);
    }

    private void sinkGauge(MeterRegistry registry, String name, String baseUnit, String description, Tags meterTags,
                           String sink, ToDoubleFunction<SinkMetrics> value) {
        SnapshotCache c = cache;
        Gauge.builder(name, tracker, t -> sinkValue(c, t, sink, value))
                .tags(meterTags).baseUnit(baseUnit).description(description).register(registry);
    }

    private void trackerCounter(MeterRegistry registry, String name, @Nullable String baseUnit, String description,
                                Tags meterTags, ToDoubleFunction<TrackerMetrics> value) {
        SnapshotCache c = cache;
        FunctionCounter.Builder<EventTracker> b = FunctionCounter.builder(name, tracker, t -> trackerValue(c, t, value))
                .tags(meterTags).description(description);
        if (baseUnit != null) {
            b.baseUnit(baseUnit);
        }
        b.register(registry);
    }

    private void trackerGauge(MeterRegistry registry, String name, String baseUnit, String description,
                              ToDoubleFunction<TrackerMetrics> value) {
        SnapshotCache c = cache;
        Gauge.builder(name, tracker, t -> trackerValue(c, t, value))
                .tags(tags).baseUnit(baseUnit).description(description).register(registry);
    }

    private void recoveryGauge(MeterRegistry registry, String name, @Nullable String baseUnit, String description,
                               ToDoubleFunction<JournalRecovery> value) {
        SnapshotCache c = cache;
        Gauge.Builder<EventTracker> b = Gauge.builder(name, tracker,
                        t -> trackerValue(c, t, m -> value.applyAsDouble(m.journalRecovery())))
                .tags(tags).description(description);
        if (baseUnit != null) {
            b.baseUnit(baseUnit);
        }
        b.register(registry);
    }

    // The meters' functions below are static and capture only the cache (which holds no tracker), the
    // sink's name and the figure: a meter must not reach the binder, which holds the tracker strongly.

    private static double sinkValue(SnapshotCache cache, @Nullable EventTracker t, String sink,
                                    ToDoubleFunction<SinkMetrics> value) {
        if (t == null) {
            return Double.NaN;
        }
        TrackerMetrics m = cache.get(t);
        SinkMetrics s = m == null ? null : m.sinks().get(sink);
        return s == null ? Double.NaN : value.applyAsDouble(s);
    }

    private static double trackerValue(SnapshotCache cache, EventTracker t, ToDoubleFunction<TrackerMetrics> value) {
        TrackerMetrics m = cache.get(t);
        return m == null ? Double.NaN : value.applyAsDouble(m);
    }

    /** {@code OVERFLOW_DROP_NEWEST} becomes {@code overflow-drop-newest}, as Micrometer's own binders write enum tags. */
    private static String tagValue(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Captures only the list: the registry's meters reach the hook through the cache, never the binder or the tracker. */
    private static Runnable newDestinationsHook(List<DestinationBinding> bindings) {
        return () -> {
            for (DestinationBinding binding : bindings) {
                binding.registerNew();
            }
        };
    }

    /** The destination meters of one sink in one registry: registers each destination once. */
    private static final class DestinationBinding {
        private final MeterRegistry registry;
        private final Tags sinkTags;
        private final WeakReference<DestinationMetrics> source;
        private final Set<String> registered = ConcurrentHashMap.newKeySet();

        DestinationBinding(MeterRegistry registry, Tags sinkTags, DestinationMetrics source) {
            this.registry = registry;
            this.sinkTags = sinkTags;
            this.source = new WeakReference<>(source);
        }

        void registerNew() {
            DestinationMetrics d = source.get();
            if (d == null) {
                return;
            }
            List<String> names;
            try {
                names = d.destinations();
            } catch (RuntimeException e) {
                return; // a broken sink must not break the scrape
            }
            if (names.size() == registered.size()) {
                return; // the list only grows
            }
            for (String destination : names) {
                if (registered.add(destination)) {
                    Tags destinationTags = sinkTags.and(DESTINATION, destination);
                    FunctionCounter.builder("twinstream.sink.destination.delivered", d,
                                    x -> read(x, destination, true))
                            .tags(destinationTags).baseUnit(BaseUnits.EVENTS)
                            .description("Events the destination accepted").register(registry);
                    FunctionCounter.builder("twinstream.sink.destination.failed", d,
                                    x -> read(x, destination, false))
                            .tags(destinationTags).baseUnit(BaseUnits.EVENTS)
                            .description("Event attempts the destination failed, retryably or permanently")
                            .register(registry);
                }
            }
        }

        private static double read(DestinationMetrics d, String destination, boolean delivered) {
            try {
                return delivered ? d.deliveredRecords(destination) : d.failedRecords(destination);
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        }
    }

    /** Configures a {@link TwinstreamMetrics}. Not thread-safe. */
    public static final class Builder {
        private final EventTracker tracker;
        private Tags tags = Tags.empty();
        private Duration snapshotTtl = Duration.ofMillis(DEFAULT_SNAPSHOT_TTL_MILLIS);
        private Clock clock = Clock.system();
        private final Map<String, DestinationMetrics> destinations = new LinkedHashMap<>();
        private int batchSizeBuckets = DEFAULT_BATCH_SIZE_BUCKETS;

        private Builder(EventTracker tracker) {
            this.tracker = Objects.requireNonNull(tracker, "tracker");
        }

        /**
         * Tags added to every meter (replacing earlier ones given here), for example
         * {@code Tags.of("tracker", "orders")} when an application has several trackers.
         *
         * @param tags the tags
         * @return this builder
         */
        public Builder tags(Iterable<Tag> tags) {
            this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
            return this;
        }

        /**
         * How long the meters reuse one {@link EventTracker#metrics()} snapshot (default
         * {@value TwinstreamMetrics#DEFAULT_SNAPSHOT_TTL_MILLIS} ms). Keep it below the scrape or publishing interval;
         * {@link Duration#ZERO} takes a snapshot for every meter read.
         *
         * @param ttl zero or positive
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is negative
         */
        public Builder snapshotTtl(Duration ttl) {
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("snapshotTtl must not be negative but was " + ttl);
            }
            this.snapshotTtl = ttl;
            return this;
        }

        /**
         * The clock the {@linkplain #snapshotTtl(Duration) time to live} is measured on (default
         * {@link Clock#system()}); tests pass the tracker's virtual clock.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Publishes the per-destination counts of the sink registered with the tracker under
         * {@code sink} (the tracker does not hand out its sinks, so pass the instance you registered;
         * a {@code FirehoseSink} is a {@link DestinationMetrics}). Replaces an earlier call for the
         * same sink.
         *
         * @param sink the name the sink was registered under
         * @param metrics the sink instance
         * @return this builder
         */
        public Builder destinations(String sink, DestinationMetrics metrics) {
            destinations.put(Objects.requireNonNull(sink, "sink"), Objects.requireNonNull(metrics, "metrics"));
            return this;
        }

        /**
         * The batch-size histogram's largest finite bucket: buckets {@code le} = 1, 2, 4, … up to the
         * smallest power of two at least {@code maxRecords} are published, plus {@code +Inf}
         * (default {@value TwinstreamMetrics#DEFAULT_BATCH_SIZE_BUCKETS}). 0 publishes no buckets (the
         * {@code twinstream.sink.batch.size} count and total stay).
         *
         * @param maxRecords 0 to 2<sup>30</sup>
         * @return this builder
         * @throws IllegalArgumentException if {@code maxRecords} is out of range
         */
        public Builder batchSizeBuckets(int maxRecords) {
            if (maxRecords < 0 || maxRecords > (1 << 30)) {
                throw new IllegalArgumentException("batchSizeBuckets must be between 0 and " + (1 << 30)
                        + " but was " + maxRecords);
            }
            this.batchSizeBuckets = maxRecords;
            return this;
        }

        /**
         * Creates the binder; register it with {@link TwinstreamMetrics#bindTo(MeterRegistry)}.
         *
         * @return the binder
         * @throws IllegalArgumentException if {@link #destinations} names a sink the tracker does not have
         */
        public TwinstreamMetrics build() {
            if (!destinations.isEmpty()) {
                Set<String> sinks = tracker.metrics().sinks().keySet();
                for (String sink : destinations.keySet()) {
                    if (!sinks.contains(sink)) {
                        throw new IllegalArgumentException("destinations: the tracker has no sink named '" + sink
                                + "'; its sinks are " + sinks);
                    }
                }
            }
            return new TwinstreamMetrics(this);
        }
    }
}
