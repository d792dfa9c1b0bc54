package dev.twinstream.core;

/**
 * Thrown by {@code track()} under {@link OverflowPolicy#block(java.time.Duration)} when the log
 * stayed full for the whole timeout. The event was not accepted; the caller decides what to do
 * with it.
 */
public final class BufferFullException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was full and for how long
     */
    public BufferFullException(String message) {
        super(message);
    }
}
