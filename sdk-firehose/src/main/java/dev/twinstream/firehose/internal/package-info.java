/**
 * Implementation of the Firehose sink, not API: the error table, the record packer and request
 * plans, the per-stream counters and the hand-off of sends to the sink's sender thread. May change
 * in any release.
 */
@NullMarked
package dev.twinstream.firehose.internal;

import org.jspecify.annotations.NullMarked;
