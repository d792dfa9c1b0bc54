package dev.twinstream.core.internal.encode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.core.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The {@link Envelope} the tracker builds for one {@code track()} call, with precomputed JSON fragments. */
public final class EncodedEnvelope implements Envelope {
    private final CompiledType type;
    private final String eventId;
    private final byte[] eventIdAscii;
    private final long occurredAtMillis;
    private final String partitionKey;
    private final @Nullable String routingKey;
    private final Object event;
    /** Computed on first use: the JSON-lines format usually serializes the event straight into its line. */
    private byte @Nullable [] dataJson;
    private final TrackerContext context;
    private @Nullable JsonNode dataTree;

    public EncodedEnvelope(CompiledType type, byte[] eventIdAscii, String eventId, long occurredAtMillis, String partitionKey,
                    @Nullable String routingKey, Object event, TrackerContext context) {
        this.type = type;
        this.eventIdAscii = eventIdAscii;
        this.eventId = eventId;
        this.occurredAtMillis = occurredAtMillis;
        this.partitionKey = partitionKey;
        this.routingKey = routingKey;
        this.event = event;
        this.context = context;
    }

    byte[] eventIdAscii() {
        return eventIdAscii;
    }

    byte[] typeNameJson() {
        return type.nameJson;
    }

    /** The context as a JSON object, or null when the tracker has none. */
    byte @Nullable [] contextJson() {
        return context.json;
    }

    @Override
    public String eventId() {
        return eventId;
    }

    @Override
    public String eventType() {
        return type.name;
    }

    @Override
    public String partitionKey() {
        return partitionKey;
    }

    @Override
    public @Nullable String routingKey() {
        return routingKey;
    }

    @Override
    public long occurredAtMillis() {
        return occurredAtMillis;
    }

    @Override
    public String occurredAt() {
        return Timestamps.format(occurredAtMillis);
    }

    @Override
    public Map<String, String> context() {
        return context.values;
    }

    @Override
    public Object event() {
        return event;
    }

    @Override
    public byte[] dataJson() {
        if (dataJson == null) {
            dataJson = type.serialize(event);
        }
        return dataJson;
    }

    /** Appends the event's JSON to {@code out}, serializing it there unless it was already done. */
    void writeDataJson(JsonLinesFormat.LineBuffer line) {
        if (dataJson != null) {
            line.write(dataJson);
        } else {
            type.serializeInto(event, line);
        }
    }

    @Override
    public JsonNode dataTree() {
        if (dataTree == null) {
            try {
                dataTree = context.mapper.readTree(dataJson());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot re-read the JSON Jackson just wrote", e);
            }
        }
        return dataTree;
    }

    /** The tracker-wide parts of every envelope. */
    public static final class TrackerContext {
        final Map<String, String> values;
        /** Null when there is no context. */
        final byte @Nullable [] json;
        final ObjectMapper mapper;

        public TrackerContext(Map<String, String> values, ObjectMapper mapper) {
            this.values = values;
            this.json = Json.objectOrNull(values);
            this.mapper = mapper;
        }
    }
}
