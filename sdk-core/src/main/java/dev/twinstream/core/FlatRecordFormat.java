package dev.twinstream.core;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A flat JSON-lines projection for Redshift {@code COPY}: chosen columns at the top level and the
 * original event kept whole as a JSON string, e.g.
 * <pre>{@code {"event_id":"…","event_type":"page_view","occurred_at":"…","user_id":"u1","raw_event":"{\"userId\":\"u1\",…}"}}</pre>
 *
 * <p>A column's source is one of {@code eventId}, {@code eventType}, {@code occurredAt},
 * {@code partitionKey}, {@code context.<key>}, or the name of a top-level field of the event
 * (written with its JSON type; {@code null} when the event lacks it). Immutable and thread-safe.
 */
public final class FlatRecordFormat implements RecordFormat {
    private static final JsonFactory JSON = new ObjectMapper().getFactory();
    private static final String CONTEXT_PREFIX = "context.";

    private final Map<String, String> columns;
    private final @Nullable String originalEventColumn;

    private FlatRecordFormat(Map<String, String> columns, @Nullable String originalEventColumn) {
        this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        this.originalEventColumn = originalEventColumn;
    }

    /** {@return a builder with no columns and the original event in {@code raw_event}} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return output column name to source, in output order} */
    public Map<String, String> columns() {
        return columns;
    }

    /** {@return the column holding the original event as a JSON string, or {@code null} for none} */
    public @Nullable String originalEventColumn() {
        return originalEventColumn;
    }

    @Override
    public byte[] encode(Envelope envelope) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 2 * envelope.dataJson().length);
        try (JsonGenerator gen = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            gen.writeStartObject();
            for (Map.Entry<String, String> column : columns.entrySet()) {
                gen.writeFieldName(column.getKey());
                writeSource(gen, envelope, column.getValue());
            }
            if (originalEventColumn != null) {
                gen.writeStringField(originalEventColumn, new String(envelope.dataJson(), StandardCharsets.UTF_8));
            }
            gen.writeEndObject();
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void writeSource(JsonGenerator gen, Envelope envelope, String source) throws IOException {
        switch (source) {
            case "eventId":
                gen.writeString(envelope.eventId());
                return;
            case "eventType":
                gen.writeString(envelope.eventType());
                return;
            case "occurredAt":
                gen.writeString(envelope.occurredAt());
                return;
            case "partitionKey":
                gen.writeString(envelope.partitionKey());
                return;
            default:
                if (source.startsWith(CONTEXT_PREFIX)) {
                    String value = envelope.context().get(source.substring(CONTEXT_PREFIX.length()));
                    if (value == null) {
                        gen.writeNull();
                    } else {
                        gen.writeString(value);
                    }
                    return;
                }
                JsonNode value = envelope.dataTree().get(source);
                if (value == null) {
                    gen.writeNull();
                } else {
                    gen.writeTree(value);
                }
        }
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof FlatRecordFormat)) {
            return false;
        }
        FlatRecordFormat other = (FlatRecordFormat) o;
        return columns.equals(other.columns) && java.util.Objects.equals(originalEventColumn, other.originalEventColumn);
    }

    @Override
    public int hashCode() {
        return columns.hashCode() * 31 + java.util.Objects.hashCode(originalEventColumn);
    }

    @Override
    public String toString() {
        return "FlatRecordFormat{columns=" + columns + ", originalEventColumn=" + originalEventColumn + '}';
    }

    /** Builds a {@link FlatRecordFormat}. */
    public static final class Builder {
        private final Map<String, String> columns = new LinkedHashMap<>();
        private final List<String> duplicates = new ArrayList<>();
        private @Nullable String originalEventColumn = "raw_event";

        private Builder() {}

        /**
         * Adds a column named like its source.
         *
         * @param source the column's source and name (see the class javadoc)
         * @return this builder
         * @throws IllegalArgumentException if {@code source} is null or empty
         */
        public Builder column(String source) {
            return column(source, source);
        }

        /**
         * Adds a column {@code name} filled from {@code source} (see the class javadoc).
         *
         * @param name the output column name
         * @param source where the value comes from
         * @return this builder
         * @throws IllegalArgumentException if {@code name} or {@code source} is null or empty
         */
        public Builder column(String name, String source) {
            if (columns.put(requireText(name, "column name"), requireText(source, "column source")) != null) {
                duplicates.add(name);
            }
            return this;
        }

        /**
         * Names the column that holds the original event as a JSON string; {@code null} omits it.
         *
         * @param name the column name, or {@code null} for no such column
         * @return this builder
         */
        public Builder originalEventAs(@Nullable String name) {
            this.originalEventColumn = name;
            return this;
        }

        /**
         * Builds the format.
         *
         * @return the format
         * @throws ConfigurationException if no column is defined, a column name repeats, or the
         *     original-event column is also a column
         */
        public FlatRecordFormat build() {
            List<String> violations = new ArrayList<>();
            for (String name : duplicates) {
                violations.add("flat format column '" + name + "' is defined more than once");
            }
            if (originalEventColumn != null && columns.containsKey(originalEventColumn)) {
                violations.add("flat format column '" + originalEventColumn + "' is also the original-event column");
            }
            if (columns.isEmpty() && originalEventColumn == null) {
                violations.add("flat format must have at least 1 column but has 0");
            }
            if (!violations.isEmpty()) {
                throw new ConfigurationException(violations);
            }
            return new FlatRecordFormat(columns, originalEventColumn);
        }

        private static String requireText(@Nullable String value, String what) {
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(what + " must not be null or empty");
            }
            return value;
        }
    }
}
