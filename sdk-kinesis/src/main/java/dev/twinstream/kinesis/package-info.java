/**
 * The Amazon Kinesis Data Streams sink: {@link dev.twinstream.kinesis.KinesisSink}, with shard
 * prediction, KPL-compatible aggregation, per-shard rate limiting and one error table. Everything
 * under {@code dev.twinstream.kinesis.internal} is implementation, not API.
 */
@NullMarked
package dev.twinstream.kinesis;

import org.jspecify.annotations.NullMarked;
