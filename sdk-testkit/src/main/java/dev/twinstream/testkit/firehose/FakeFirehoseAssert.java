package dev.twinstream.testkit.firehose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twinstream.testkit.TwinstreamAssertions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
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
 * AssertJ assertions on what a {@link FakeFirehose} received and delivered. Start with
 * {@link TwinstreamAssertions#assertThat(FakeFirehose)}.
 *
 * <p>"Lines" are the newline-separated lines of the records a stream accepted (one per event for
 * the core formats, packed or not); "object lines" are those of the objects delivered so far.
 */
public final class FakeFirehoseAssert extends AbstractAssert<FakeFirehoseAssert, FakeFirehose> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LISTED = 10;

    /**
     * Creates the assertion; use {@link TwinstreamAssertions#assertThat(FakeFirehose)} instead.
     *
     * @param actual the fake to check, or null (the assertions then fail)
     */
    public FakeFirehoseAssert(@Nullable FakeFirehose actual) {
        super(actual, FakeFirehoseAssert.class);
    }

    /**
     * Verifies that the delivery stream exists.
     *
     * @param stream the delivery stream name
     * @return this assertion
     */
    public FakeFirehoseAssert hasStream(String stream) {
        isNotNull();
        if (!actual.streamNames().contains(stream)) {
            failBecause("Expected a delivery stream \"%s\" but the streams are %s", stream, actual.streamNames());
        }
        return this;
    }

    /**
     * Verifies that {@code stream} accepted exactly {@code n} lines.
     *
     * @param stream the delivery stream name
     * @param n the expected number
     * @return this assertion
     */
    public FakeFirehoseAssert hasReceivedLines(String stream, long n) {
        hasStream(stream);
        int count = actual.lines(stream).size();
        if (count != n) {
            failBecause("Expected delivery stream \"%s\" to have received %d lines but it received %d (%s)",
                    stream, n, count, actual.stats(stream));
        }
        return this;
    }

    /**
     * Verifies that {@code stream} accepted exactly {@code n} JSON lines whose top-level
     * {@code eventType} is {@code eventType} (the JSON-lines envelope, or a flat format with an
     * {@code eventType} column).
     *
     * @param stream the delivery stream name
     * @param eventType the registered event type name
     * @param n the expected number
     * @return this assertion
     */
    public FakeFirehoseAssert hasReceivedEventsOfType(String stream, String eventType, long n) {
        return hasReceivedLinesWithField(stream, "eventType", eventType, n);
    }

    /**
     * Verifies that {@code stream} accepted exactly {@code n} JSON lines whose top-level text field
     * {@code jsonField} equals {@code value}.
     *
     * @param stream the delivery stream name
     * @param jsonField a top-level field name
     * @param value the expected text value
     * @param n the expected number
     * @return this assertion
     */
    public FakeFirehoseAssert hasReceivedLinesWithField(String stream, String jsonField, String value, long n) {
        hasStream(stream);
        Objects.requireNonNull(jsonField, "jsonField");
        Map<String, Integer> byValue = new TreeMap<>();
        int unparseable = 0;
        for (String line : actual.lines(stream)) {
            JsonNode node = parse(line);
            if (node == null || !node.isObject()) {
                unparseable++;
                continue;
            }
            JsonNode field = node.get(jsonField);
            byValue.merge(field == null || field.isNull() ? "<none>" : field.asText(), 1, Integer::sum);
        }
        long count = byValue.getOrDefault(value, 0);
        if (count != n) {
            failBecause("Expected delivery stream \"%s\" to have received %d lines with %s=\"%s\" but it received %d;"
                    + " by %s: %s (%d lines not JSON objects)", stream, n, jsonField, value, count, jsonField, byValue,
                    unparseable);
        }
        return this;
    }

    /**
     * Verifies that the objects delivered so far for {@code stream} contain every one of
     * {@code lines} (each as a whole line; other lines may be there too).
     *
     * @param stream the delivery stream name
     * @param lines the expected lines, without {@code '\n'}
     * @return this assertion
     */
    public FakeFirehoseAssert hasObjectsContainingLines(String stream, String... lines) {
        hasStream(stream);
        Set<String> present = new LinkedHashSet<>();
        int objects = 0;
        for (DeliveredObject object : actual.objects(stream)) {
            objects++;
            present.addAll(object.lines());
        }
        List<String> missing = new ArrayList<>();
        for (String line : lines) {
            if (!present.contains(line)) {
                missing.add(line);
            }
        }
        if (!missing.isEmpty()) {
            failBecause("Expected the %d objects delivered for \"%s\" to contain %d lines but %d are missing: %s",
                    objects, stream, lines.length, missing.size(), first(missing));
        }
        return this;
    }

    /**
     * Verifies that every line {@code stream} accepted is in a delivered object, once: nothing is
     * still buffered and nothing was delivered twice.
     *
     * @param stream the delivery stream name
     * @return this assertion
     */
    public FakeFirehoseAssert hasDeliveredEverythingToObjects(String stream) {
        hasStream(stream);
        List<String> objectLines = new ArrayList<>();
        for (DeliveredObject object : actual.objects(stream)) {
            objectLines.addAll(object.lines());
        }
        List<String> accepted = actual.lines(stream);
        if (!objectLines.equals(accepted)) {
            failBecause("Expected the objects of \"%s\" to hold the %d accepted lines in order but they hold %d lines",
                    stream, accepted.size(), objectLines.size());
        }
        return this;
    }

    /**
     * Verifies that no line was accepted twice by {@code stream}.
     *
     * @param stream the delivery stream name
     * @return this assertion
     */
    public FakeFirehoseAssert hasNoDuplicateLines(String stream) {
        hasStream(stream);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String line : actual.lines(stream)) {
            counts.merge(line, 1, Integer::sum);
        }
        List<String> duplicates = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() > 1) {
                duplicates.add(e.getValue() + "x " + e.getKey());
            }
        }
        if (!duplicates.isEmpty()) {
            failBecause("Expected no duplicate lines in \"%s\" but %d lines were received more than once: %s",
                    stream, duplicates.size(), first(duplicates));
        }
        return this;
    }

    /**
     * Verifies that no call was rejected for breaking a request or record limit.
     *
     * @return this assertion
     */
    public FakeFirehoseAssert neverExceededItsLimits() {
        isNotNull();
        List<String> violations = actual.limitViolations();
        if (!violations.isEmpty()) {
            failBecause("Expected no call to break the Firehose limits but %d did (largest call: %d records, %d bytes;"
                    + " largest record %d bytes): %s", violations.size(), actual.maxRecordsInOneCall(),
                    actual.maxBytesInOneCall(), actual.maxRecordBytes(), first(violations));
        }
        return this;
    }

    private static @Nullable JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    /** Fails with a message formatted once, so '%' in data cannot break it. */
    private void failBecause(String format, @Nullable Object... args) {
        failWithMessage("%s", String.format(format, args));
    }

    private static String first(Collection<?> items) {
        if (items.size() <= MAX_LISTED) {
            return items.toString();
        }
        return Arrays.toString(new ArrayList<Object>(items).subList(0, MAX_LISTED).toArray()) + " and "
                + (items.size() - MAX_LISTED) + " more";
    }
}
