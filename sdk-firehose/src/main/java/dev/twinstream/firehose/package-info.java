/**
 * The Amazon Data Firehose sink. Not built yet: the module exists so the reactor, the BOM and
 * the dependency on the AWS SDK's {@code firehose} client are in place for the issue that adds
 * {@code FirehoseSink} (record packing, per-entry partial-failure handling, {@code FakeFirehose}).
 */
package dev.twinstream.firehose;
