package dev.twinstream.core.spi;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** The outcome of one record in one {@link Sink#send} call. Immutable. */
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

    private static final RecordResult OK = new RecordResult(Status.OK, null, null);

    private final Status status;
    private final @Nullable String code;
    private final @Nullable String message;

    private RecordResult(Status status, @Nullable String code, @Nullable String message) {
        this.status = status;
        this.code = code;
        this.message = message;
    }

    /** {@return the shared success result} */
    public static RecordResult ok() {
        return OK;
    }

    /**
     * A failure worth retrying, with the destination's error code and message.
     *
     * @param code the destination's error code, for example {@code ServiceUnavailableException}
     * @param message the destination's error message, or {@code null}
     * @return the result
     */
    public static RecordResult retryable(String code, @Nullable String message) {
        return new RecordResult(Status.RETRYABLE, Objects.requireNonNull(code, "code"), message);
    }

    /**
     * A failure that will not go away by retrying, with the destination's error code and message.
     *
     * @param code the destination's error code
     * @param message the destination's error message, or {@code null}
     * @return the result
     */
    public static RecordResult permanent(String code, @Nullable String message) {
        return new RecordResult(Status.PERMANENT, Objects.requireNonNull(code, "code"), message);
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

    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof RecordResult)) {
            return false;
        }
        RecordResult other = (RecordResult) o;
        return status == other.status && Objects.equals(code, other.code) && Objects.equals(message, other.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, code, message);
    }

    @Override
    public String toString() {
        return status == Status.OK ? "OK" : status + "(" + code + (message == null ? "" : ": " + message) + ")";
    }
}
