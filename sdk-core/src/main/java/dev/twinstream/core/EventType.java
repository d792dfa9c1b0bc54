package dev.twinstream.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Describes one kind of event: the Java class (a record or a POJO that Jackson can serialize), its
 * name in the envelope, how its partition key is computed, which fields are required, extra
 * validation rules, and which sinks receive it. Immutable; register it with
 * {@link EventTracker.Builder#register(EventType)}.
 *
 * <pre>{@code
 * EventType<PageView> pageViews = EventType.builder(PageView.class, "page_view")
 *         .partitionKey(PageView::userId)
 *         .requireFields("userId", "sessionId")
 *         .rule("durationMillis >= 0", e -> e.durationMillis() >= 0)
 *         .build();
 * }</pre>
 *
 * <p>A field is "missing" when it is {@code null} or a string of only whitespace. Fields named in
 * {@link Builder#requireFields} are the event's JSON property names (as Jackson sees them, so
 * {@code @JsonProperty} renames apply) and are checked when the tracker is built.
 *
 * @param <T> the event class
 */
public final class EventType<T> {
    /** Allowed event type names: 1 to 128 of letters, digits, {@code _ . : / -}. */
    public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}");

    private final Class<T> javaType;
    private final String name;
    private final @Nullable Function<? super T, @Nullable String> partitionKey;
    private final @Nullable Function<? super T, @Nullable String> routingKey;
    private final List<String> requiredFieldNames;
    private final Map<String, Function<? super T, ?>> requiredFieldGetters;
    private final Map<String, Predicate<? super T>> rules;
    private final Set<String> sinks;

    private EventType(Builder<T> b) {
        this.javaType = b.javaType;
        this.name = b.name;
        this.partitionKey = b.partitionKey;
        this.routingKey = b.routingKey;
        this.requiredFieldNames = Collections.unmodifiableList(new ArrayList<>(b.requiredFieldNames));
        this.requiredFieldGetters = Collections.unmodifiableMap(new LinkedHashMap<>(b.requiredFieldGetters));
        this.rules = Collections.unmodifiableMap(new LinkedHashMap<>(b.rules));
        this.sinks = Collections.unmodifiableSet(new LinkedHashSet<>(b.sinks));
    }

    /**
     * Starts describing events of class {@code javaType}, named {@code name} in the envelope.
     *
     * @param javaType the event class
     * @param name the envelope's {@code eventType}, matching {@link #NAME_PATTERN}
     * @param <T> the event class
     * @return a new builder
     */
    public static <T> Builder<T> builder(Class<T> javaType, String name) {
        return new Builder<>(javaType, name);
    }

    /** {@return the event class} Subclasses of it are tracked with this type unless they have their own. */
    public Class<T> javaType() {
        return javaType;
    }

    /** {@return the envelope's {@code eventType}} */
    public String name() {
        return name;
    }

    /** {@return the partition-key function; when absent the event id is the key (spreads events evenly)} */
    public Optional<Function<? super T, @Nullable String>> partitionKey() {
        return Optional.ofNullable(partitionKey);
    }

    /** {@return the routing-key function, if any: what sinks may use to pick a destination per event} */
    public Optional<Function<? super T, @Nullable String>> routingKey() {
        return Optional.ofNullable(routingKey);
    }

    /** {@return the required fields given by JSON property name} */
    public List<String> requiredFieldNames() {
        return requiredFieldNames;
    }

    /** {@return the required fields given with an accessor, by the name used in error messages} */
    public Map<String, Function<? super T, ?>> requiredFieldGetters() {
        return requiredFieldGetters;
    }

    /** {@return the validation rules by description; an event for which a rule returns false is rejected} */
    public Map<String, Predicate<? super T>> rules() {
        return rules;
    }

    /** {@return the sinks that receive this type; empty means all sinks} */
    public Set<String> sinks() {
        return sinks;
    }

    @Override
    public String toString() {
        return "EventType{" + name + " -> " + javaType.getName() + '}';
    }

    /**
     * Builds an {@link EventType}.
     *
     * @param <T> the event class
     */
    public static final class Builder<T> {
        private final Class<T> javaType;
        private final String name;
        private @Nullable Function<? super T, @Nullable String> partitionKey;
        private @Nullable Function<? super T, @Nullable String> routingKey;
        private final List<String> requiredFieldNames = new ArrayList<>();
        private final Map<String, Function<? super T, ?>> requiredFieldGetters = new LinkedHashMap<>();
        private final Map<String, Predicate<? super T>> rules = new LinkedHashMap<>();
        private final Set<String> sinks = new LinkedHashSet<>();

        private Builder(Class<T> javaType, String name) {
            this.javaType = javaType;
            this.name = name;
        }

        /**
         * Computes the partition key; it must return a non-empty string. A {@code null} or empty
         * result, or a function that throws, rejects the event at {@code track()}.
         *
         * @param partitionKey computes the key from the event
         * @return this builder
         */
        public Builder<T> partitionKey(Function<? super T, @Nullable String> partitionKey) {
            this.partitionKey = Objects.requireNonNull(partitionKey, "partitionKey");
            return this;
        }

        /**
         * Computes a routing key at {@code track()} time: a short string a sink may use to pick a
         * destination per event, such as {@code FirehoseSink}'s delivery stream per category. It
         * travels with the event through retries, dead letters and replay. A {@code null} result
         * means the event has none; a function that throws rejects the event.
         *
         * @param routingKey computes the routing key from the event
         * @return this builder
         */
        public Builder<T> routingKey(Function<? super T, @Nullable String> routingKey) {
            this.routingKey = Objects.requireNonNull(routingKey, "routingKey");
            return this;
        }

        /**
         * Requires the given JSON properties to be present (resolved with Jackson when the tracker is
         * built). Each is read by reflection on every {@code track()}; on a hot path,
         * {@link #requireField(String, Function)} with a method reference avoids that.
         *
         * @param jsonPropertyNames the JSON property names
         * @return this builder
         */
        public Builder<T> requireFields(String... jsonPropertyNames) {
            for (String field : jsonPropertyNames) {
                requiredFieldNames.add(Objects.requireNonNull(field, "field"));
            }
            return this;
        }

        /**
         * Requires the value returned by {@code getter} to be present; {@code field} names it in errors.
         *
         * @param field the field's name in error messages
         * @param getter reads the field, e.g. {@code PageView::userId}
         * @return this builder
         */
        public Builder<T> requireField(String field, Function<? super T, ?> getter) {
            requiredFieldGetters.put(Objects.requireNonNull(field, "field"), Objects.requireNonNull(getter, "getter"));
            return this;
        }

        /**
         * Rejects events for which {@code rule} returns false; {@code description} appears in the error.
         *
         * @param description names the rule in errors
         * @param rule the check
         * @return this builder
         */
        public Builder<T> rule(String description, Predicate<? super T> rule) {
            rules.put(Objects.requireNonNull(description, "description"), Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * Sends this type only to the named sinks (default: every sink).
         *
         * @param sinkNames the names the sinks were added with
         * @return this builder
         */
        public Builder<T> sinks(String... sinkNames) {
            for (String sink : sinkNames) {
                sinks.add(Objects.requireNonNull(sink, "sink"));
            }
            return this;
        }

        /**
         * Builds the event type.
         *
         * @return the event type
         * @throws ConfigurationException listing every problem: a null class, a name outside
         *     {@link #NAME_PATTERN}, an empty field name
         */
        public EventType<T> build() {
            List<String> violations = new ArrayList<>();
            if (javaType == null) {
                violations.add("eventType.javaType must not be null");
            }
            if (name == null || !NAME_PATTERN.matcher(name).matches()) {
                violations.add("eventType.name must match " + NAME_PATTERN.pattern() + " but was '" + name + "'");
            }
            for (String field : requiredFieldNames) {
                if (field.isEmpty()) {
                    violations.add("eventType " + name + ": required field names must not be empty");
                }
            }
            if (!violations.isEmpty()) {
                throw new ConfigurationException(violations);
            }
            return new EventType<>(this);
        }
    }
}
