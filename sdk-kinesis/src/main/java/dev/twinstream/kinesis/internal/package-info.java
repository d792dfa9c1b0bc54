/**
 * Implementation; not API, may change without notice: the Kinesis sink's sender (shard prediction,
 * request packing, per-shard rate limiting), the KPL-compatible aggregator, the shard map and its
 * cache, hash keys, the error table and the sink's own timer thread.
 */
@NullMarked
package dev.twinstream.kinesis.internal;

import org.jspecify.annotations.NullMarked;
