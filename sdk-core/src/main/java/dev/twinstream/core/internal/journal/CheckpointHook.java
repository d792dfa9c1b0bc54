package dev.twinstream.core.internal.journal;

import java.util.function.Supplier;

/**
 * Runs on the journal writer just before each checkpoint write, so that what it persists and the
 * checkpoint agree: the delivery ledger ({@code dispatch.DeliveryLedgers}) persists the deliveries
 * below the positions the checkpoint is about to record, before the checkpoint records them.
 *
 * <p>A hook that wrote those positions itself, with the checkpoint's next generation and forced as the
 * checkpoint would have been, makes the checkpoint write redundant: recovery takes the positions of
 * whichever of the two has the newer generation ({@code Recovery}), so the writer skips it.
 */
public interface CheckpointHook {

    /**
     * Reads the positions to checkpoint and persists what belongs with them.
     *
     * @param positions reads every sink's position below which everything is final (call it once,
     *     under whatever lock makes the read consistent with what is persisted)
     * @param generation the generation the checkpoint write that follows will have
     * @return the positions read, and whether the hook persisted them with {@code generation}
     */
    Persisted beforeCheckpoint(Supplier<long[]> positions, long generation);

    /** What {@link #beforeCheckpoint} read, and whether it wrote it where recovery finds it. */
    final class Persisted {
        /** Per sink, the position below which everything is final. */
        public final long[] positions;
        /** The hook wrote and forced {@link #positions} with the checkpoint's next generation. */
        public final boolean written;

        /**
         * @param positions per sink its position
         * @param written whether the hook wrote them, so the checkpoint write may be skipped
         */
        public Persisted(long[] positions, boolean written) {
            this.positions = positions;
            this.written = written;
        }
    }
}
