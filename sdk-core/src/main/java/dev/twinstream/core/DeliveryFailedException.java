package dev.twinstream.core;

/**
 * Completes the future of {@link EventTracker#trackWithReceipt(Object)} exceptionally when a sink
 * dead-lettered or dropped the event. The other sinks may still have delivered it.
 */
public final class DeliveryFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The sink that failed to deliver the event. */
    private final String sink;
    private final transient TrackedEvent event;

    /**
     * Creates the exception.
     *
     * @param sink the sink that failed to deliver the event
     * @param event the event
     * @param message what happened
     */
    public DeliveryFailedException(String sink, TrackedEvent event, String message) {
        super(message);
        this.sink = sink;
        this.event = event;
    }

    /** {@return the sink that failed to deliver the event (the first one, if several did)} */
    public String sink() {
        return sink;
    }

    /** {@return the event} */
    public TrackedEvent event() {
        return event;
    }
}
