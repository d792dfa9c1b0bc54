/**
 * The Amazon Data Firehose sink: {@link dev.twinstream.firehose.FirehoseSink}, built from an injected
 * {@code FirehoseAsyncClient}, with routing to delivery streams by event type or by a
 * {@link dev.twinstream.firehose.StreamRouter}, record packing, and per-entry partial-failure
 * handling. Everything in {@code dev.twinstream.firehose.internal} is implementation, not API.
 */
@NullMarked
package dev.twinstream.firehose;

import org.jspecify.annotations.NullMarked;
