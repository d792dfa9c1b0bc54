package dev.twinstream.core.internal.journal;

import java.util.function.Supplier;

/**
 * Runs on the journal writer just before each checkpoint write, so that what it persists and the
 * checkpoint agree: the delivery ledger ({@code dispatch.DeliveryLedgers}) persists the deliveries
 * below the positions the checkpoint is about to record, before the checkpoint records them.
 */
public interface CheckpointHook {

    /**
     * Reads the positions to checkpoint and persists what belongs with them.
     *
     * @param positions reads every sink's position below which everything is final (call it once,
     *     under whatever lock makes the read consistent with what is persisted)
     * @param generation the generation the checkpoint write that follows will have
     * @return the positions read, which the writer then checkpoints
     */
    long[] beforeCheckpoint(Supplier<long[]> positions, long generation);
}
