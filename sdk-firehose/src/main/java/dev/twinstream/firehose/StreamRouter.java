package dev.twinstream.firehose;

import org.jspecify.annotations.Nullable;

/**
 * Chooses the delivery stream of one event from its event type and routing key (set by
 * {@code EventType.Builder.routingKey(...)} at {@code track()} time). Used with
 * {@link FirehoseSink.Builder#routeBy(StreamRouter)}.
 *
 * <p>Called once per event per attempt on the sink's sender thread (its own thread, or the
 * {@link FirehoseSink.Builder#scheduler scheduler} you injected, possibly from several threads at
 * once if that scheduler runs tasks concurrently), so it must be fast, thread-safe, side-effect free
 * and give the same answer for the same arguments (a retried event should go where its first
 * attempt went). A slow router delays this sink only, not the tracker's other sinks.
 */
@FunctionalInterface
public interface StreamRouter {

    /**
     * The delivery stream for one event.
     *
     * @param eventType the registered name of the event's type
     * @param routingKey the event's routing key, or {@code null} when its type has none
     * @return a delivery stream name, or {@code null} to fall back to
     *     {@link FirehoseSink.Builder#route(String, String)} and then
     *     {@link FirehoseSink.Builder#deliveryStream(String)}
     */
    @Nullable String deliveryStream(String eventType, @Nullable String routingKey);
}
