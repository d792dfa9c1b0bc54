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

/** What {@code EventTracker.Builder} collected, handed to {@link TrackerEngine}. Nullable fields mean "default". */
public final class TrackerSettings {
    final List<EventType<?>> eventTypes;
    final Map<String, Sink> sinks;
    final Map<String, SinkOptions> sinkOptions;
    final RetryPolicy retry;
    final Journal journal;
    final @Nullable DeliveryListener listener;
    final DeadLetterHandler deadLetterHandler;
    final Map<String, String> context;
    final ObjectMapper objectMapper;
    final Clock clock;
    final @Nullable Scheduler scheduler;
    final @Nullable Executor listenerExecutor;
    final @Nullable ThreadFactory threadFactory;
    final Random random;
    final Duration closeTimeout;

    /** Copies the collections; the builder may be reused. */
    public TrackerSettings(List<EventType<?>> eventTypes, Map<String, Sink> sinks, Map<String, SinkOptions> sinkOptions,
                           RetryPolicy retry, Journal journal, @Nullable DeliveryListener listener,
                           DeadLetterHandler deadLetterHandler, Map<String, String> context, ObjectMapper objectMapper,
                           Clock clock, @Nullable Scheduler scheduler, @Nullable Executor listenerExecutor,
                           @Nullable ThreadFactory threadFactory,
                           Random random, Duration closeTimeout) {
        this.eventTypes = Collections.unmodifiableList(new ArrayList<>(eventTypes));
        this.sinks = Collections.unmodifiableMap(new LinkedHashMap<>(sinks));
        this.sinkOptions = Collections.unmodifiableMap(new LinkedHashMap<>(sinkOptions));
        this.retry = retry;
        this.journal = journal;
        this.listener = listener;
        this.deadLetterHandler = deadLetterHandler;
        this.context = Collections.unmodifiableMap(new LinkedHashMap<>(context));
        this.objectMapper = objectMapper;
        this.clock = clock;
        this.scheduler = scheduler;
        this.listenerExecutor = listenerExecutor;
        this.threadFactory = threadFactory;
        this.random = random;
        this.closeTimeout = closeTimeout;
    }
}
