package dev.twinstream.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.assertj.core.api.AbstractAssert;
import org.jspecify.annotations.Nullable;

/**
 * AssertJ assertions on what an {@link InMemorySink} received. Start with
 * {@link TwinstreamAssertions#assertThat(InMemorySink)}.
 *
 * <p>Every assertion reads a snapshot of the sink at the moment it runs; the ones that look at
 * records need a sink that retains payloads (the default).
 */
public final class InMemorySinkAssert extends AbstractAssert<InMemorySinkAssert, InMemorySink> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LISTED = 10;

    /**
     * Creates the assertion; use {@link TwinstreamAssertions#assertThat(InMemorySink)} instead.
     *
     * @param actual the sink to check, or null (the assertions then fail)
     */
    public InMemorySinkAssert(@Nullable InMemorySink actual) {
        super(actual, InMemorySinkAssert.class);
    }

    /**
     * Verifies that the sink accepted exactly {@code n} records.
     *
     * @param n the expected number
     * @return this assertion
     */
    public InMemorySinkAssert hasReceivedEvents(long n) {
        isNotNull();
        long count = actual.receivedCount();
        if (count != n) {
            failBecause("Expected the sink to have received %d events but it received %d (%d sent in %d calls, %d failed)",
                    n, count, actual.sentRecordCount(), actual.callCount(), actual.failedRecordCount());
        }
        return this;
    }

    /**
     * Verifies that the sink accepted exactly {@code n} records of event type {@code type}.
     *
     * @param type the registered name of the event type
     * @param n the expected number
     * @return this assertion
     */
    public InMemorySinkAssert hasReceivedEventsOfType(String type, long n) {
        isNotNull();
        Objects.requireNonNull(type, "type");
        Map<String, Integer> byType = countsByType(records("hasReceivedEventsOfType"));
        long count = byType.getOrDefault(type, 0);
        if (count != n) {
            failBecause("Expected the sink to have received %d events of type \"%s\" but it received %d; by type: %s",
                    n, type, count, byType);
        }
        return this;
    }

    /**
     * Verifies that at least one accepted record of event type {@code type} has a JSON payload with
     * {@code jsonField} equal to {@code value}, at the top level or inside its {@code data} object
     * (so both a bare event and an envelope {@code {"eventId":…,"data":{…}}} match). Numbers compare
     * by value ({@code 3} equals {@code 3.0}); strings, booleans and {@code null} exactly; other
     * values as Jackson would serialize them.
     *
     * @param type the registered name of the event type
     * @param jsonField the field name
     * @param value the expected value, may be {@code null} for a JSON {@code null}
     * @return this assertion
     */
    public InMemorySinkAssert hasReceivedEventWithField(String type, String jsonField, @Nullable Object value) {
        isNotNull();
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(jsonField, "jsonField");
        int ofType = 0;
        int unparseable = 0;
        List<String> seenValues = new ArrayList<>();
        for (ReceivedRecord record : records("hasReceivedEventWithField")) {
            if (!record.eventType().equals(type)) {
                continue;
            }
            ofType++;
            JsonNode root;
            try {
                root = JSON.readTree(record.payload());
            } catch (IOException e) {
                unparseable++;
                continue;
            }
            if (root == null || !root.isObject()) {
                unparseable++;
                continue;
            }
            JsonNode found = root.get(jsonField);
            JsonNode data = root.get("data");
            if (found == null && data != null && data.isObject()) {
                found = data.get(jsonField);
            }
            if (found == null) {
                continue;
            }
            if (jsonEquals(found, value)) {
                return this;
            }
            if (seenValues.size() < MAX_LISTED) {
                seenValues.add(found.toString());
            }
        }
        failBecause("Expected the sink to have received an event of type \"%s\" whose field \"%s\" is %s "
                        + "but found none among %d events of that type (%d not JSON objects); values seen: %s",
                type, jsonField, describe(value), ofType, unparseable, seenValues);
        return this;
    }

    /**
     * Verifies that no event id was accepted twice.
     *
     * @return this assertion
     */
    public InMemorySinkAssert hasNoDuplicateEventIds() {
        isNotNull();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ReceivedRecord record : records("hasNoDuplicateEventIds")) {
            counts.merge(record.eventId(), 1, Integer::sum);
        }
        Map<String, Integer> duplicates = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> entry : counts.entrySet()) {
            if (entry.getValue() > 1) {
                duplicates.put(entry.getKey(), entry.getValue());
            }
        }
        if (!duplicates.isEmpty()) {
            failBecause("Expected no duplicate event ids but %d of %d distinct ids were received more than once "
                    + "(id=times): %s", duplicates.size(), counts.size(), first(duplicates.entrySet()));
        }
        return this;
    }

    /**
     * Verifies that the set of accepted event ids equals {@code ids} as a set (duplicates and order
     * are ignored; use {@link #hasNoDuplicateEventIds()} for those).
     *
     * @param ids the expected event ids
     * @return this assertion
     */
    public InMemorySinkAssert hasReceivedEventIdsExactly(Collection<String> ids) {
        isNotNull();
        Objects.requireNonNull(ids, "ids");
        Set<String> expected = new LinkedHashSet<>(ids);
        Set<String> received = new LinkedHashSet<>();
        for (ReceivedRecord record : records("hasReceivedEventIdsExactly")) {
            received.add(record.eventId());
        }
        Set<String> missing = new LinkedHashSet<>(expected);
        missing.removeAll(received);
        Set<String> unexpected = new LinkedHashSet<>(received);
        unexpected.removeAll(expected);
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            failBecause("Expected the received event ids to be exactly %d ids but %d distinct ids were received;%n"
                            + "  missing (%d): %s%n  unexpected (%d): %s",
                    expected.size(), received.size(), missing.size(), first(missing), unexpected.size(),
                    first(unexpected));
        }
        return this;
    }

    /**
     * Verifies that no call broke the sink's limits or the batch contract.
     *
     * @return this assertion
     */
    public InMemorySinkAssert neverExceededItsLimits() {
        isNotNull();
        List<String> violations = actual.limitViolationMessages();
        if (!violations.isEmpty()) {
            failBecause("Expected no call to exceed the sink's limits %s but %d did (largest call: %d records, %d bytes): %s",
                    actual.limits(), violations.size(), actual.maxRecordsInOneCall(), actual.maxBytesInOneCall(),
                    first(violations));
        }
        return this;
    }

    private List<ReceivedRecord> records(String assertion) {
        if (!actual.retainsPayloads()) {
            failBecause("%s needs the received records but the sink was built with retainPayloads(false)", assertion);
        }
        return actual.received();
    }

    /** Fails with a message formatted once, so '%' in data cannot break it. */
    private void failBecause(String format, @Nullable Object... args) {
        failWithMessage("%s", String.format(format, args));
    }

    private static Map<String, Integer> countsByType(List<ReceivedRecord> records) {
        Map<String, Integer> byType = new TreeMap<>();
        for (ReceivedRecord record : records) {
            byType.merge(record.eventType(), 1, Integer::sum);
        }
        return byType;
    }

    private static boolean jsonEquals(JsonNode node, @Nullable Object expected) {
        if (expected == null) {
            return node.isNull();
        }
        if (expected instanceof Number && node.isNumber()) {
            try {
                return new BigDecimal(expected.toString()).compareTo(node.decimalValue()) == 0;
            } catch (NumberFormatException notFinite) {
                return false;
            }
        }
        if (expected instanceof CharSequence || expected instanceof Character) {
            return node.isTextual() && node.textValue().equals(expected.toString());
        }
        if (expected instanceof Enum) {
            return node.isTextual() && node.textValue().equals(((Enum<?>) expected).name());
        }
        if (expected instanceof Boolean) {
            return node.isBoolean() && node.booleanValue() == (Boolean) expected;
        }
        return JSON.valueToTree(expected).equals(node);
    }

    private static String describe(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        return value instanceof CharSequence ? "\"" + value + "\"" : value + " (" + value.getClass().getSimpleName() + ")";
    }

    private static String first(Collection<?> items) {
        if (items.size() <= MAX_LISTED) {
            return items.toString();
        }
        List<Object> shown = new ArrayList<Object>(items).subList(0, MAX_LISTED);
        return shown + " and " + (items.size() - MAX_LISTED) + " more";
    }
}
