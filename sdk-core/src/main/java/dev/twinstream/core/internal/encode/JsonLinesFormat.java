package dev.twinstream.core.internal.encode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.twinstream.core.Envelope;
import dev.twinstream.core.RecordFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The full envelope as one JSON line. Built by writing precomputed fragments around the event's
 * JSON instead of running the envelope through Jackson again: the event is serialized exactly once,
 * straight into the line when no other format needed its JSON first.
 */
public final class JsonLinesFormat implements RecordFormat {
    /** The only instance. */
    public static final JsonLinesFormat INSTANCE = new JsonLinesFormat();

    private static final byte[] EVENT_ID = Json.ascii("{\"eventId\":\"");
    private static final byte[] EVENT_TYPE = Json.ascii("\",\"eventType\":");
    private static final byte[] OCCURRED_AT = Json.ascii(",\"occurredAt\":\"");
    private static final byte[] CONTEXT = Json.ascii("\",\"context\":");
    private static final byte[] DATA_AFTER_CONTEXT = Json.ascii(",\"data\":");
    private static final byte[] DATA_AFTER_TIME = Json.ascii("\",\"data\":");
    private static final byte[] END = Json.ascii("}\n");

    private JsonLinesFormat() {}

    @Override
    public byte[] encode(Envelope envelope) throws IOException {
        LineBuffer line = LineBuffer.acquire();
        try {
            line.write(EVENT_ID);
            if (envelope instanceof EncodedEnvelope) {
                EncodedEnvelope e = (EncodedEnvelope) envelope;
                line.write(e.eventIdAscii()); // our ids are hex and dashes: no escaping needed
                line.write(EVENT_TYPE);
                line.write(e.typeNameJson());
                writeTimeAndContext(line, e.occurredAtMillis(), e.contextJson());
                e.writeDataJson(line); // usually serializes the event right here: one copy fewer
            } else {
                line.write(JsonStringEncoder.getInstance().quoteAsUTF8(envelope.eventId()));
                line.write(EVENT_TYPE);
                line.write(Json.quoted(envelope.eventType()));
                writeTimeAndContext(line, envelope.occurredAtMillis(), Json.objectOrNull(envelope.context()));
                line.write(envelope.dataJson());
            }
            line.write(END);
            return line.toByteArray();
        } finally {
            line.release();
        }
    }

    private static void writeTimeAndContext(LineBuffer line, long occurredAtMillis, byte @Nullable [] contextJson) {
        line.write(OCCURRED_AT);
        line.writeTimestamp(occurredAtMillis);
        if (contextJson == null) {
            line.write(DATA_AFTER_TIME);
        } else {
            line.write(CONTEXT);
            line.write(contextJson);
            line.write(DATA_AFTER_CONTEXT);
        }
    }

    /**
     * A per-thread growable buffer the line is assembled in, so the only allocation per event is
     * the finished line. Re-entrant use (a custom serializer that tracks an event) gets a fresh one.
     *
     * <p>It also keeps a Jackson generator writing into itself: creating a generator per event
     * (context, buffer recycler lookup, close) cost about a sixth of {@code track()}. The generator
     * is bound to one {@link JsonFactory}, writes root values with no separator, and is replaced
     * after a failed serialization left it mid-value.
     */
    static final class LineBuffer extends OutputStream {
        private static final int INITIAL_BYTES = 1024;
        /** Larger buffers are not kept for the next event, so one huge event does not pin memory. */
        private static final int MAX_RETAINED_BYTES = 64 * 1024;
        private static final ThreadLocal<@Nullable LineBuffer> PER_THREAD = new ThreadLocal<>();
        /**
         * Events one buffer serves before the thread replaces it (and its generator) with a new one.
         * Kept for good, a thread's buffer and generator would be promoted to the old generation,
         * where a GC may copy the buffers of two producer threads next to each other: then every
         * write one thread makes to its own buffer (its length, its bytes, the generator's write
         * position) invalidates the cache line the other thread is using (a slow benchmark fork
         * spent ~100 ns per event in these few lines; see docs/BENCHMARKS.md). A buffer replaced
         * this often dies young, in the thread's own allocation buffer; making one costs a few
         * hundred nanoseconds, spread over this many events.
         */
        private static final int USES = 1024;

        private byte[] buf = new byte[INITIAL_BYTES];
        private int length;
        private boolean inUse;
        private @Nullable JsonGenerator generator;
        private @Nullable JsonFactory generatorFactory;
        private int uses;

        static LineBuffer acquire() {
            LineBuffer b = PER_THREAD.get();
            if (b == null || (b.uses >= USES && !b.inUse)) {
                b = new LineBuffer();
                PER_THREAD.set(b);
            } else if (b.inUse) {
                b = new LineBuffer(); // re-entered from a serializer: use a throw-away buffer
            }
            b.uses++;
            b.inUse = true;
            b.length = 0;
            return b;
        }

        void release() {
            inUse = false;
            if (buf.length > MAX_RETAINED_BYTES) {
                buf = new byte[INITIAL_BYTES];
            }
        }

        /** This buffer's generator for {@code writer}'s factory, created on first use. */
        JsonGenerator generator(ObjectWriter writer) throws IOException {
            JsonGenerator g = generator;
            if (g == null || generatorFactory != writer.getFactory()) {
                g = writer.createGenerator(this);
                g.setRootValueSeparator(null); // one value per line, no ' ' between them
                generator = g;
                generatorFactory = writer.getFactory();
            }
            return g;
        }

        void discardGenerator() {
            generator = null;
            generatorFactory = null;
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[length++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes) {
            write(bytes, 0, bytes.length);
        }

        @Override
        public void write(byte[] bytes, int offset, int count) {
            ensure(count);
            System.arraycopy(bytes, offset, buf, length, count);
            length += count;
        }

        void writeTimestamp(long epochMillis) {
            ensure(Timestamps.LENGTH);
            Timestamps.write(epochMillis, buf, length);
            length += Timestamps.LENGTH;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, length);
        }

        private void ensure(int more) {
            if (length + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, length + more));
            }
        }
    }

    @Override
    public String toString() {
        return "jsonLines";
    }
}
