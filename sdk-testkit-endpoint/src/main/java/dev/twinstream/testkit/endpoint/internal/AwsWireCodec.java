package dev.twinstream.testkit.endpoint.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.core.protocol.MarshallingType;
import software.amazon.awssdk.core.traits.ListTrait;
import software.amazon.awssdk.core.traits.MapTrait;
import software.amazon.awssdk.core.util.SdkAutoConstructList;
import software.amazon.awssdk.core.util.SdkAutoConstructMap;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * The server side of the AWS JSON 1.1 and CBOR 1.1 protocols: reads a request body into the SDK's
 * own request object and writes a response object as the service would.
 *
 * <p>Driven entirely by the SDK's model metadata ({@link SdkPojo#sdkFields()}: member names,
 * marshalling types, list and map traits), the same metadata the SDK's client-side marshallers use,
 * so every operation of both services is covered by one small codec and stays right as the SDK
 * model changes. The two protocols differ only in the two places the services differ: blobs are
 * base64 strings in JSON and byte strings in CBOR; timestamps are epoch seconds (a decimal number)
 * in JSON and epoch milliseconds under CBOR tag 1 in CBOR.
 */
public final class AwsWireCodec {

    /** The content type of AWS JSON 1.1 requests and responses. */
    public static final String JSON_1_1 = "application/x-amz-json-1.1";
    /** The content type of AWS CBOR 1.1 (what the SDK for Java v2's Kinesis client sends by default). */
    public static final String CBOR_1_1 = "application/x-amz-cbor-1.1";

    /** RFC 8949 §3.4.2: tag 1 marks an epoch-based date/time. */
    private static final int CBOR_EPOCH_TAG = 1;

    private static final AwsWireCodec JSON = new AwsWireCodec(new JsonFactory(), false, JSON_1_1);
    private static final AwsWireCodec CBOR = new AwsWireCodec(new CBORFactory(), true, CBOR_1_1);

    private final ObjectMapper mapper;
    private final JsonFactory factory;
    private final boolean cbor;
    private final String contentType;

    private AwsWireCodec(JsonFactory factory, boolean cbor, String contentType) {
        this.factory = factory;
        this.mapper = new ObjectMapper(factory);
        this.cbor = cbor;
        this.contentType = contentType;
    }

    /**
     * The codec for a request's {@code Content-Type}: CBOR for {@value #CBOR_1_1}, JSON otherwise
     * (the AWS CLI and the other SDKs send {@value #JSON_1_1}, some older ones
     * {@code application/json}).
     */
    public static AwsWireCodec forContentType(String contentType) {
        return contentType != null && contentType.startsWith(CBOR_1_1) ? CBOR : JSON;
    }

    /** {@return whether this is the CBOR codec} */
    public boolean isCbor() {
        return cbor;
    }

    /** {@return the content type this codec writes} */
    public String contentType() {
        return contentType;
    }

    /**
     * Reads {@code body} into a request built by {@code builder}.
     *
     * @throws MalformedBodyException if the body is not a JSON/CBOR object or a member has the wrong type
     */
    public SdkPojo read(byte[] body, SdkPojo builder) {
        JsonNode root;
        try {
            root = body.length == 0 ? mapper.createObjectNode() : mapper.readTree(body);
        } catch (IOException e) {
            throw new MalformedBodyException("the request body is not valid " + (cbor ? "CBOR" : "JSON") + ": "
                    + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            root = mapper.createObjectNode();
        }
        return readStruct(root, builder, "");
    }

    private SdkPojo readStruct(JsonNode node, SdkPojo builder, String path) {
        if (!node.isObject()) {
            throw new MalformedBodyException("expected an object at '" + path + "', got " + node.getNodeType());
        }
        for (SdkField<?> field : builder.sdkFields()) {
            JsonNode value = node.get(field.locationName());
            if (value != null && !value.isNull()) {
                field.set(builder, readValue(value, field, path + "/" + field.locationName()));
            }
        }
        return (SdkPojo) ((SdkBuilder<?, ?>) builder).build();
    }

    private Object readValue(JsonNode node, SdkField<?> field, String path) {
        MarshallingType<?> type = field.marshallingType();
        try {
            if (type == MarshallingType.STRING) {
                return textual(node, path).textValue();
            } else if (type == MarshallingType.INTEGER) {
                return number(node, path).intValue();
            } else if (type == MarshallingType.LONG) {
                return number(node, path).longValue();
            } else if (type == MarshallingType.DOUBLE) {
                return number(node, path).doubleValue();
            } else if (type == MarshallingType.FLOAT) {
                return number(node, path).floatValue();
            } else if (type == MarshallingType.SHORT) {
                return number(node, path).shortValue();
            } else if (type == MarshallingType.BYTE) {
                return (byte) number(node, path).intValue();
            } else if (type == MarshallingType.BIG_DECIMAL) {
                return number(node, path).decimalValue();
            } else if (type == MarshallingType.BOOLEAN) {
                if (!node.isBoolean()) {
                    throw wrongType(path, "a boolean", node);
                }
                return node.booleanValue();
            } else if (type == MarshallingType.SDK_BYTES) {
                if (!node.isBinary() && !node.isTextual()) {
                    throw wrongType(path, "a blob", node);
                }
                return SdkBytes.fromByteArrayUnsafe(node.binaryValue());
            } else if (type == MarshallingType.INSTANT) {
                return readInstant(node, path);
            } else if (type == MarshallingType.SDK_POJO) {
                return readStruct(node, field.constructor().get(), path);
            } else if (type == MarshallingType.LIST) {
                if (!node.isArray()) {
                    throw wrongType(path, "a list", node);
                }
                SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
                List<Object> list = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    list.add(readValue(node.get(i), member, path + "/" + i));
                }
                return list;
            } else if (type == MarshallingType.MAP) {
                if (!node.isObject()) {
                    throw wrongType(path, "a map", node);
                }
                SdkField<?> value = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
                Map<String, Object> map = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    map.put(e.getKey(), readValue(e.getValue(), value, path + "/" + e.getKey()));
                }
                return map;
            }
        } catch (IOException e) {
            throw new MalformedBodyException("'" + path + "' is not a valid blob: " + e.getMessage());
        }
        throw new MalformedBodyException("'" + path + "' has a type the local endpoint does not read: " + type);
    }

    private Instant readInstant(JsonNode node, String path) {
        if (node.isNumber()) {
            // CBOR: epoch milliseconds (tag 1 is dropped by the tree model); JSON: epoch seconds.
            return cbor ? Instant.ofEpochMilli(node.longValue())
                    : Instant.ofEpochMilli(node.decimalValue().movePointRight(3).longValue());
        }
        if (node.isTextual()) {
            try {
                return Instant.parse(node.textValue());
            } catch (RuntimeException e) {
                throw new MalformedBodyException("'" + path + "' is not a timestamp: " + node.textValue());
            }
        }
        throw wrongType(path, "a timestamp", node);
    }

    private static JsonNode textual(JsonNode node, String path) {
        if (!node.isTextual()) {
            throw wrongType(path, "a string", node);
        }
        return node;
    }

    private static JsonNode number(JsonNode node, String path) {
        if (!node.isNumber()) {
            throw wrongType(path, "a number", node);
        }
        return node;
    }

    private static MalformedBodyException wrongType(String path, String expected, JsonNode node) {
        return new MalformedBodyException("'" + path + "' must be " + expected + ", got " + node.getNodeType());
    }

    /** Writes {@code pojo} (a response) as the body the service would send. */
    public byte[] write(SdkPojo pojo) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = factory.createGenerator(out)) {
            writeStruct(g, pojo);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the error body of the JSON protocols: {@code {"__type": code, "message": message}}. */
    public byte[] writeError(String errorCode, String message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("__type", errorCode);
            if (message != null) {
                g.writeStringField("message", message);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void writeStruct(JsonGenerator g, SdkPojo pojo) throws IOException {
        g.writeStartObject();
        for (SdkField<?> field : pojo.sdkFields()) {
            Object value = field.getValueOrDefault(pojo);
            // Unset lists and maps are "auto-constructed" placeholders: the service omits them.
            if (value != null && !(value instanceof SdkAutoConstructList) && !(value instanceof SdkAutoConstructMap)) {
                g.writeFieldName(field.locationName());
                writeValue(g, value, field);
            }
        }
        g.writeEndObject();
    }

    private void writeValue(JsonGenerator g, Object value, SdkField<?> field) throws IOException {
        MarshallingType<?> type = field.marshallingType();
        if (type == MarshallingType.SDK_BYTES) {
            g.writeBinary(((SdkBytes) value).asByteArrayUnsafe());
        } else if (type == MarshallingType.INSTANT) {
            long millis = ((Instant) value).toEpochMilli();
            if (cbor) {
                ((CBORGenerator) g).writeTag(CBOR_EPOCH_TAG);
                g.writeNumber(millis);
            } else {
                g.writeNumber(BigDecimal.valueOf(millis, 3));
            }
        } else if (type == MarshallingType.SDK_POJO) {
            writeStruct(g, (SdkPojo) value);
        } else if (type == MarshallingType.LIST) {
            SdkField<?> member = field.getRequiredTrait(ListTrait.class).memberFieldInfo();
            g.writeStartArray();
            for (Object element : (List<?>) value) {
                writeValue(g, element, member);
            }
            g.writeEndArray();
        } else if (type == MarshallingType.MAP) {
            SdkField<?> member = field.getRequiredTrait(MapTrait.class).valueFieldInfo();
            g.writeStartObject();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeValue(g, e.getValue(), member);
            }
            g.writeEndObject();
        } else if (value instanceof String) {
            g.writeString((String) value);
        } else if (value instanceof Boolean) {
            g.writeBoolean((Boolean) value);
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            g.writeNumber(((Number) value).intValue());
        } else if (value instanceof Long) {
            g.writeNumber((Long) value);
        } else if (value instanceof Double || value instanceof Float) {
            g.writeNumber(((Number) value).doubleValue());
        } else if (value instanceof BigDecimal) {
            g.writeNumber((BigDecimal) value);
        } else {
            throw new IllegalStateException("cannot write " + field.memberName() + " of type " + type);
        }
    }

    /** A request body the codec cannot read: answered as the service answers, with a 400. */
    public static final class MalformedBodyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedBodyException(String message) {
            super(message);
        }
    }
}
