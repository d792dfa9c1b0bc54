package dev.twinstream.core.internal.encode;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Small JSON helpers shared by the envelope encoders. */
final class Json {
    private static final ObjectMapper PLAIN = new ObjectMapper();

    private Json() {}

    /** {@code value} as a quoted, escaped JSON string in UTF-8. */
    static byte[] quoted(String value) {
        byte[] body = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] out = new byte[body.length + 2];
        out[0] = '"';
        System.arraycopy(body, 0, out, 1, body.length);
        out[out.length - 1] = '"';
        return out;
    }

    /** A string-to-string map as a JSON object, or {@code null} when empty. */
    static byte @Nullable [] objectOrNull(Map<String, String> map) {
        if (map.isEmpty()) {
            return null;
        }
        try {
            return PLAIN.writeValueAsBytes(map);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // A Map<String, String> always serializes; reaching this is a Jackson bug.
            throw new IllegalStateException("cannot encode context " + map, e);
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
