package dev.twinstream.core.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.Clock;
import dev.twinstream.core.DeliveryListener;
import dev.twinstream.core.EventType;
import dev.twinstream.core.Journal;
import dev.twinstream.core.RetryPolicy;
import dev.twinstream.core.Scheduler;
import dev.twinstream.core.SinkOptions;
import dev.twinstream.core.spi.DeadLetterHandler;
import dev.twinstream.core.spi.Sink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * What {@code EventTracker.Builder} collected and validated, handed to {@link TrackerEngine}: one
 * immutable value, built with named setters so that two options of the same type cannot be swapped
 * by position. A new option is added here (field, setter) and read where it is used. Nullable
 * fields mean "the tracker's own default".
 */
public final class TrackerSettings {
    final List<EventType<?>> eventTypes;
    final Map<String, Sink> sinks;
    final Map<String, SinkOptions> sinkOptions;
    final RetryPolicy retry;
    final Journal journal;
    final @Nullable DeliveryListener listener;
    final @Nullable DeadLetterHandler deadLetterHandler;
    final Map<String, String> context;
    final ObjectMapper objectMapper;
    final Clock clock;
    final @Nullable Scheduler scheduler;
    final @Nullable Executor listenerExecutor;
    final @Nullable ThreadFactory threadFactory;
    final Random random;
    final Duration closeTimeout;
    /** Zero: no delivery ledger. */
    final Duration ledgerRetention;

    private TrackerSettings(Builder b) {
        this.eventTypes = Collections.unmodifiableList(new ArrayList<>(b.eventTypes));
        this.sinks = Collections.unmodifiableMap(new LinkedHashMap<>(b.sinks));
        this.sinkOptions = Collections.unmodifiableMap(new LinkedHashMap<>(b.sinkOptions));
        this.retry = required(b.retry, "retry");
        this.journal = required(b.journal, "journal");
        this.listener = b.listener;
        this.deadLetterHandler = b.deadLetterHandler;
        this.context = Collections.unmodifiableMap(new LinkedHashMap<>(b.context));
        this.objectMapper = required(b.objectMapper, "objectMapper");
        this.clock = required(b.clock, "clock");
        this.scheduler = b.scheduler;
        this.listenerExecutor = b.listenerExecutor;
        this.threadFactory = b.threadFactory;
        this.random = required(b.random, "random");
        this.closeTimeout = required(b.closeTimeout, "closeTimeout");
        this.ledgerRetention = b.ledgerRetention;
    }

    /** {@return an empty builder: collections empty, every other setting unset} */
    public static Builder builder() {
        return new Builder();
    }

    private static <T> T required(@Nullable T value, String name) {
        if (value == null) {
            throw new IllegalStateException("TrackerSettings." + name + " was not set");
        }
        return value;
    }

    /** Collects the settings; {@link #build()} copies the collections, so the builder may be reused. */
    public static final class Builder {
        private List<EventType<?>> eventTypes = Collections.emptyList();
        private Map<String, Sink> sinks = Collections.emptyMap();
        private Map<String, SinkOptions> sinkOptions = Collections.emptyMap();
        private @Nullable RetryPolicy retry;
        private @Nullable Journal journal;
        private @Nullable DeliveryListener listener;
        private @Nullable DeadLetterHandler deadLetterHandler;
        private Map<String, String> context = Collections.emptyMap();
        private @Nullable ObjectMapper objectMapper;
        private @Nullable Clock clock;
        private @Nullable Scheduler scheduler;
        private @Nullable Executor listenerExecutor;
        private @Nullable ThreadFactory threadFactory;
        private @Nullable Random random;
        private @Nullable Duration closeTimeout;
        private Duration ledgerRetention = Duration.ZERO;

        private Builder() {}

        /** @param eventTypes the registered types @return this */
        public Builder eventTypes(List<EventType<?>> eventTypes) {
            this.eventTypes = eventTypes;
            return this;
        }

        /**
         * @param sinks the sinks by name, in registration order
         * @param sinkOptions every sink's options, by the same names
         * @return this
         */
        public Builder sinks(Map<String, Sink> sinks, Map<String, SinkOptions> sinkOptions) {
            this.sinks = sinks;
            this.sinkOptions = sinkOptions;
            return this;
        }

        /** @param retry the default retry policy @return this */
        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        /** @param journal the journal configuration @return this */
        public Builder journal(Journal journal) {
            this.journal = journal;
            return this;
        }

        /** @param listener the delivery listener, or null for none @return this */
        public Builder listener(@Nullable DeliveryListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * @param deadLetterHandler where dead letters go, or null for the tracker's default store (in the
         *     disk journal's directory, else in memory), which the tracker opens once its journal is open
         * @return this
         */
        public Builder deadLetterHandler(@Nullable DeadLetterHandler deadLetterHandler) {
            this.deadLetterHandler = deadLetterHandler;
            return this;
        }

        /** @param context the static envelope context @return this */
        public Builder context(Map<String, String> context) {
            this.context = context;
            return this;
        }

        /** @param objectMapper the mapper events are serialized with @return this */
        public Builder objectMapper(ObjectMapper objectMapper) {
            this.objectMapper = objectMapper;
            return this;
        }

        /** @param clock the clock for all time @return this */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** @param scheduler the caller's scheduler, or null for the tracker's own thread @return this */
        public Builder scheduler(@Nullable Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** @param listenerExecutor the caller's listener executor, or null for the default @return this */
        public Builder listenerExecutor(@Nullable Executor listenerExecutor) {
            this.listenerExecutor = listenerExecutor;
            return this;
        }

        /** @param threadFactory the factory for the tracker's own threads, or null for named daemons @return this */
        public Builder threadFactory(@Nullable ThreadFactory threadFactory) {
            this.threadFactory = threadFactory;
            return this;
        }

        /** @param random the source of retry jitter @return this */
        public Builder random(Random random) {
            this.random = random;
            return this;
        }

        /** @param closeTimeout how long {@code close()} flushes @return this */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** @param ledgerRetention how long the delivery ledger keeps an hour; zero for no ledger @return this */
        public Builder ledgerRetention(Duration ledgerRetention) {
            this.ledgerRetention = ledgerRetention;
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalStateException if a setting without a default was not set
         */
        public TrackerSettings build() {
            return new TrackerSettings(this);
        }
    }
}
