package dev.twinstream.core.internal.encode;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import dev.twinstream.core.EventRejectedException;
import dev.twinstream.core.EventRejectedException.Reason;
import dev.twinstream.core.EventType;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * An {@link EventType} prepared for the hot path: its Jackson writer, resolved required-field
 * accessors, sink mask and the format slots it needs, all computed once when the tracker is built.
 */
public final class CompiledType {
    public final Class<?> javaType;
    public final String name;
    final byte[] nameJson;
    public final int sinkMask;
    /** The distinct format slots used by the type's sinks. */
    public final int[] slots;
    /**
     * Parallel to {@link #slots}: the smallest record-size limit of the type's sinks that use the
     * slot, and the name of that sink, so {@code track()} checks each payload once, against one number.
     */
    private final int[] slotMaxBytes;
    /** Null where no sink of the slot limits record size below {@link Integer#MAX_VALUE}. */
    private final @Nullable String[] slotMaxBytesSink;
    private final ObjectWriter writer;
    // Parallel lists walked by index: validate runs on every track() call.
    private final List<String> requiredNames;
    private final List<Function<Object, ?>> requiredGetters;
    private final List<String> ruleNames;
    private final List<Predicate<Object>> rules;
    private final @Nullable Function<Object, @Nullable String> partitionKey;
    /** The smallest {@link dev.twinstream.core.spi.SinkLimits#maxPartitionKeyChars} of the type's sinks. */
    private final int maxKeyChars;
    /** Null when no sink of the type bounds partition keys. */
    private final @Nullable String maxKeyCharsSink;
    private final @Nullable Function<Object, @Nullable String> routingKey;

    private CompiledType(Class<?> javaType, String name, ObjectWriter writer, Map<String, Function<Object, ?>> required,
                         Map<String, Predicate<Object>> rules, @Nullable Function<Object, @Nullable String> partitionKey,
                         int maxKeyChars, @Nullable String maxKeyCharsSink,
                         @Nullable Function<Object, @Nullable String> routingKey, int sinkMask, int[] slots,
                         int[] slotMaxBytes, @Nullable String[] slotMaxBytesSink) {
        this.javaType = javaType;
        this.name = name;
        this.nameJson = Json.quoted(name);
        this.writer = writer;
        this.requiredNames = new ArrayList<>(required.keySet());
        this.requiredGetters = new ArrayList<>(required.values());
        this.ruleNames = new ArrayList<>(rules.keySet());
        this.rules = new ArrayList<>(rules.values());
        this.partitionKey = partitionKey;
        this.maxKeyChars = maxKeyChars;
        this.maxKeyCharsSink = maxKeyCharsSink;
        this.routingKey = routingKey;
        this.sinkMask = sinkMask;
        this.slots = slots;
        this.slotMaxBytes = slotMaxBytes;
        this.slotMaxBytesSink = slotMaxBytesSink;
    }

    /**
     * Prepares {@code type}, adding a violation for each required field Jackson does not know and
     * each sink name that is not registered.
     */
    @SuppressWarnings("unchecked")
    public static CompiledType compile(EventType<?> type, ObjectMapper mapper, Map<String, Integer> sinkIndex,
                                int[] sinkSlot, int[] sinkMaxKeyChars, int[] sinkMaxRecordBytes,
                                List<String> violations) {
        String where = "eventTypes." + type.name();
        Map<String, Function<Object, ?>> required = new LinkedHashMap<>();
        if (!type.requiredFieldNames().isEmpty()) {
            Map<String, AnnotatedMember> accessors = accessors(type.javaType(), mapper);
            for (String field : type.requiredFieldNames()) {
                AnnotatedMember accessor = accessors.get(field);
                if (accessor == null) {
                    violations.add(where + ".requireFields: '" + field + "' is not a JSON property of "
                            + type.javaType().getName() + " (properties: " + new TreeSet<>(accessors.keySet()) + ")");
                } else {
                    required.put(field, getter(accessor));
                }
            }
        }
        for (Map.Entry<String, ? extends Function<?, ?>> e : type.requiredFieldGetters().entrySet()) {
            required.put(e.getKey(), (Function<Object, ?>) e.getValue());
        }
        Map<String, Predicate<Object>> rules = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends Predicate<?>> e : type.rules().entrySet()) {
            rules.put(e.getKey(), (Predicate<Object>) e.getValue());
        }
        int mask = 0;
        if (type.sinks().isEmpty()) {
            mask = (1 << sinkSlot.length) - 1;
        } else {
            for (String sink : type.sinks()) {
                Integer index = sinkIndex.get(sink);
                if (index == null) {
                    violations.add(where + ".sinks: '" + sink + "' is not a registered sink (sinks: " + sinkIndex.keySet() + ")");
                } else {
                    mask |= 1 << index;
                }
            }
        }
        TreeSet<Integer> slots = new TreeSet<>();
        int maxKeyChars = Integer.MAX_VALUE;
        String maxKeyCharsSink = null;
        List<String> sinkNames = new ArrayList<>(sinkIndex.keySet());
        for (int s = 0; s < sinkSlot.length; s++) {
            if ((mask & (1 << s)) != 0) {
                slots.add(sinkSlot[s]);
                if (sinkMaxKeyChars[s] < maxKeyChars) {
                    maxKeyChars = sinkMaxKeyChars[s];
                    maxKeyCharsSink = sinkNames.get(s);
                }
            }
        }
        int[] slotArray = new int[slots.size()];
        int[] slotMaxBytes = new int[slots.size()];
        String[] slotMaxBytesSink = new String[slots.size()];
        int i = 0;
        for (int slot : slots) {
            slotArray[i] = slot;
            slotMaxBytes[i] = Integer.MAX_VALUE;
            for (int s = 0; s < sinkSlot.length; s++) {
                if ((mask & (1 << s)) != 0 && sinkSlot[s] == slot && sinkMaxRecordBytes[s] < slotMaxBytes[i]) {
                    slotMaxBytes[i] = sinkMaxRecordBytes[s];
                    slotMaxBytesSink[i] = sinkNames.get(s);
                }
            }
            i++;
        }
        Function<Object, @Nullable String> key = (Function<Object, @Nullable String>) type.partitionKey().orElse(null);
        Function<Object, @Nullable String> routingKey =
                (Function<Object, @Nullable String>) type.routingKey().orElse(null);
        return new CompiledType(type.javaType(), type.name(), mapper.writerFor(type.javaType()), required, rules, key,
                maxKeyChars, maxKeyCharsSink, routingKey, mask, slotArray, slotMaxBytes, slotMaxBytesSink);
    }

    private static Map<String, AnnotatedMember> accessors(Class<?> javaType, ObjectMapper mapper) {
        BeanDescription description = mapper.getSerializationConfig().introspect(mapper.constructType(javaType));
        Map<String, AnnotatedMember> accessors = new LinkedHashMap<>();
        for (BeanPropertyDefinition property : description.findProperties()) {
            AnnotatedMember accessor = property.getAccessor();
            if (accessor != null) {
                accessor.fixAccess(true);
                accessors.put(property.getName(), accessor);
            }
        }
        return accessors;
    }

    /**
     * Reads the property through a method handle: {@code track()} checks required fields on every
     * event, and {@link AnnotatedMember#getValue} goes through {@code Method.invoke}, which cost
     * about twice as much per field. Falls back to it when the member cannot be unreflected.
     */
    private static Function<Object, ?> getter(AnnotatedMember accessor) {
        java.lang.reflect.Member member = accessor.getMember();
        MethodHandle handle;
        try {
            // Jackson's fixAccess has made non-public members accessible, which unreflect honours.
            if (member instanceof Method) {
                handle = MethodHandles.lookup().unreflect((Method) member);
            } else if (member instanceof Field) {
                handle = MethodHandles.lookup().unreflectGetter((Field) member);
            } else {
                return accessor::getValue;
            }
        } catch (IllegalAccessException e) {
            return accessor::getValue;
        }
        MethodHandle get = handle.asType(MethodType.methodType(Object.class, Object.class));
        return event -> {
            try {
                return (Object) get.invokeExact(event);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new UndeclaredThrowableException(e);
            }
        };
    }

    /** Checks required fields and rules; throws naming the first problem. */
    public void validate(Object event) {
        for (int i = 0; i < requiredGetters.size(); i++) {
            Object value;
            try {
                value = requiredGetters.get(i).apply(event);
            } catch (RuntimeException e) {
                throw reject(Reason.MISSING_REQUIRED_FIELD, "required field '" + requiredNames.get(i) + "' could not be read: " + e, e);
            }
            if (isMissing(value)) {
                throw reject(Reason.MISSING_REQUIRED_FIELD, "required field '" + requiredNames.get(i) + "' is missing ("
                        + (value == null ? "null" : "blank") + ")", null);
            }
        }
        for (int i = 0; i < rules.size(); i++) {
            boolean ok;
            try {
                ok = rules.get(i).test(event);
            } catch (RuntimeException e) {
                throw reject(Reason.VALIDATION_FAILED, "rule '" + ruleNames.get(i) + "' threw " + e, e);
            }
            if (!ok) {
                throw reject(Reason.VALIDATION_FAILED, "rule '" + ruleNames.get(i) + "' failed", null);
            }
        }
    }

    private static boolean isMissing(@Nullable Object value) {
        if (value == null) {
            return true;
        }
        if (value instanceof CharSequence) {
            CharSequence s = (CharSequence) value;
            for (int i = 0; i < s.length(); i++) {
                if (!Character.isWhitespace(s.charAt(i))) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /**
     * Rejects the event if its payload of {@code size} bytes for the {@code k}-th of {@link #slots}
     * is larger than a sink of the type that receives that payload accepts.
     */
    public void checkSize(int k, int size) {
        if (size > slotMaxBytes[k]) {
            throw reject(Reason.TOO_LARGE, "it encodes to " + size + " bytes for sink '" + slotMaxBytesSink[k]
                    + "', whose limit is " + slotMaxBytes[k] + " bytes per record", null);
        }
    }

    /**
     * The event's partition key, or {@code eventId} when the type has no key function; within the
     * length every sink of the type allows.
     */
    public String partitionKey(Object event, String eventId) {
        String key = eventId;
        if (partitionKey != null) {
            try {
                key = partitionKey.apply(event);
            } catch (RuntimeException e) {
                throw reject(Reason.INVALID_PARTITION_KEY, "the partition-key function threw " + e, e);
            }
            if (key == null || key.isEmpty()) {
                throw reject(Reason.INVALID_PARTITION_KEY, "the partition-key function returned "
                        + (key == null ? "null" : "an empty string"), null);
            }
        }
        // A string never has more code points than chars, so only long keys need counting.
        if (key.length() > maxKeyChars && key.codePointCount(0, key.length()) > maxKeyChars) {
            throw reject(Reason.INVALID_PARTITION_KEY, "its partition key is " + key.codePointCount(0, key.length())
                    + " characters long, more than the " + maxKeyChars + " that sink '" + maxKeyCharsSink
                    + "' allows", null);
        }
        return key;
    }

    /** The event's routing key, or null when the type has none. */
    public @Nullable String routingKey(Object event) {
        if (routingKey == null) {
            return null;
        }
        try {
            return routingKey.apply(event);
        } catch (RuntimeException e) {
            throw reject(Reason.INVALID_ROUTING_KEY, "the routing-key function threw " + e, e);
        }
    }

    byte[] serialize(Object event) {
        try {
            return writer.writeValueAsBytes(event);
        } catch (JsonProcessingException | RuntimeException e) {
            throw notSerializable(e);
        }
    }

    /** Serializes {@code event} onto the end of {@code line}, through the line's reusable generator. */
    void serializeInto(Object event, JsonLinesFormat.LineBuffer line) {
        try {
            writer.writeValue(line.generator(writer), event); // flushes into the line (FLUSH_AFTER_WRITE_VALUE)
        } catch (java.io.IOException | RuntimeException e) {
            line.discardGenerator();
            throw notSerializable(e);
        }
    }

    private EventRejectedException notSerializable(Exception e) {
        String detail = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage() : e.toString();
        return reject(Reason.NOT_SERIALIZABLE, "it cannot be serialized to JSON: " + detail, e);
    }

    public EventRejectedException reject(Reason reason, String problem, @Nullable Throwable cause) {
        return new EventRejectedException(reason, name, "Event of type '" + name + "' rejected: " + problem, cause);
    }
}
