package dev.twinstream.core.internal;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.twinstream.core.Envelope;
import dev.twinstream.core.RecordFormat;

/**
 * The full envelope as one JSON line. Built by concatenating precomputed fragments around the
 * event's Jackson bytes instead of running the envelope through Jackson again: the event is
 * serialized exactly once.
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
    public byte[] encode(Envelope envelope) {
        byte[] idJson;
        byte[] typeJson;
        byte[] contextJson;
        if (envelope instanceof EncodedEnvelope) {
            EncodedEnvelope e = (EncodedEnvelope) envelope;
            idJson = e.eventIdAscii(); // our ids are hex and dashes: no escaping needed
            typeJson = e.typeNameJson();
            contextJson = e.contextJson();
        } else {
            idJson = JsonStringEncoder.getInstance().quoteAsUTF8(envelope.eventId());
            typeJson = Json.quoted(envelope.eventType());
            contextJson = Json.objectOrNull(envelope.context());
        }
        byte[] data = envelope.dataJson();
        int length = EVENT_ID.length + idJson.length + EVENT_TYPE.length + typeJson.length + OCCURRED_AT.length
                + Timestamps.LENGTH
                + (contextJson == null ? DATA_AFTER_TIME.length : CONTEXT.length + contextJson.length + DATA_AFTER_CONTEXT.length)
                + data.length + END.length;
        byte[] out = new byte[length];
        int p = put(out, 0, EVENT_ID);
        p = put(out, p, idJson);
        p = put(out, p, EVENT_TYPE);
        p = put(out, p, typeJson);
        p = put(out, p, OCCURRED_AT);
        Timestamps.write(envelope.occurredAtMillis(), out, p);
        p += Timestamps.LENGTH;
        if (contextJson == null) {
            p = put(out, p, DATA_AFTER_TIME);
        } else {
            p = put(out, p, CONTEXT);
            p = put(out, p, contextJson);
            p = put(out, p, DATA_AFTER_CONTEXT);
        }
        p = put(out, p, data);
        put(out, p, END);
        return out;
    }

    private static int put(byte[] out, int offset, byte[] bytes) {
        System.arraycopy(bytes, 0, out, offset, bytes.length);
        return offset + bytes.length;
    }

    @Override
    public String toString() {
        return "jsonLines";
    }
}
