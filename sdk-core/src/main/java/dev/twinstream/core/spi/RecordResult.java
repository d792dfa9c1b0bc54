package dev.twinstream.core.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one record in one {@link Sink#send} call. Immutable.
 *
 * <p>A success may name the destination that accepted the record ({@link #ok(String)}): a sink that
 * routes events to several destinations (the Firehose sink's delivery streams) says where each went,
 * and the tracker's delivery ledger ({@code EventTracker.ledger}) counts the event under that
 * destination. A plain {@link #ok()} counts it under the sink's registered name.
 */
public final class RecordResult {

    /** What happened to the record. */
    public enum Status {
        /** Accepted by the destination. */
        OK,
        /** Not accepted, and sending it again later may succeed (throttling, a transient fault). */
        RETRYABLE,
        /** Not accepted, and sending it again will not help; it goes to dead-letter handling. */
        PERMANENT
    }

    private static final RecordResult OK = new RecordResult(Status.OK, null, null, null);

    private final Status status;
    private final @Nullable String code;
    private final @Nullable String message;
    private final @Nullable String destination;

    private RecordResult(Status status, @Nullable String code, @Nullable String message, @Nullable String destination) {
        this.status = status;
        this.code = code;
        this.message = message;
        this.destination = destination;
    }

    /** {@return the shared success result, naming no destination (the sink's name stands for it)} */
    public static RecordResult ok() {
        return OK;
    }

    /**
     * A success at a named destination: the delivery stream, Kinesis stream or table that accepted
     * the record. Results are immutable, so a sink creates one per destination and reuses it for
     * every record that went there.
     *
     * @param destination the destination's name, not empty
     * @return the result
     * @throws IllegalArgumentException if {@code destination} is empty
     */
    public static RecordResult ok(String destination) {
        Objects.requireNonNull(destination, "destination");
        if (destination.isEmpty()) {
            throw new IllegalArgumentException("destination must not be empty");
        }
        return new RecordResult(Status.OK, null, null, destination);
    }

    /**
     * A failure worth retrying, with the destination's error code and message.
     *
     * @param code the destination's error code, for example {@code ServiceUnavailableException}
     * @param message the destination's error message, or {@code null}
     * @return the result
     */
    public static RecordResult retryable(String code, @Nullable String message) {
        return new RecordResult(Status.RETRYABLE, Objects.requireNonNull(code, "code"), message, null);
    }

    /**
     * A failure that will not go away by retrying, with the destination's error code and message.
     *
     * @param code the destination's error code
     * @param message the destination's error message, or {@code null}
     * @return the result
     */
    public static RecordResult permanent(String code, @Nullable String message) {
        return new RecordResult(Status.PERMANENT, Objects.requireNonNull(code, "code"), message, null);
    }

    /** {@return the status} */
    public Status status() {
        return status;
    }

    /** {@return whether the record was accepted} */
    public boolean isOk() {
        return status == Status.OK;
    }

    /** {@return the error code (for example {@code ServiceUnavailableException}); {@code null} when OK} */
    public @Nullable String code() {
        return code;
    }

    /** {@return the error message; may be {@code null}} */
    public @Nullable String message() {
        return message;
    }

    /**
     * {@return the destination that accepted the record, as given to {@link #ok(String)}; {@code null}
     * for {@link #ok()} and for failures}
     */
    public @Nullable String destination() {
        return destination;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof RecordResult)) {
            return false;
        }
        RecordResult other = (RecordResult) o;
        return status == other.status && Objects.equals(code, other.code) && Objects.equals(message, other.message)
                && Objects.equals(destination, other.destination);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, code, message, destination);
    }

    @Override
    public String toString() {
        if (status == Status.OK) {
            return destination == null ? "OK" : "OK(" + destination + ")";
        }
        return status + "(" + code + (message == null ? "" : ": " + message) + ")";
    }
}
