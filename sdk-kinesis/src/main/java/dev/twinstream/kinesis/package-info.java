/**
 * The Amazon Kinesis Data Streams sink. Not built yet: the module exists so the reactor, the BOM
 * and the dependencies on the AWS SDK's {@code kinesis} client and Caffeine are in place for the
 * issue that adds {@code KinesisSink} (shard prediction, KPL-compatible aggregation, {@code FakeKinesis}).
 */
package dev.twinstream.kinesis;
