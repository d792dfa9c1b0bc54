/**
 * Twinstream testkit: in-memory sinks with fault injection, virtual time, fake Kinesis and Firehose
 * clients, AssertJ assertions and the sink compatibility kit. The AWS service modules are optional:
 * only {@code dev.twinstream.testkit.kinesis} ({@code FakeKinesis}) and
 * {@code dev.twinstream.testkit.firehose} ({@code FakeFirehose}) need them, and an application that
 * uses one requires the service module itself (through {@code dev.twinstream.kinesis} or
 * {@code dev.twinstream.firehose}, which require it transitively). {@code dev.twinstream.testkit.internal}
 * is not exported.
 */
module dev.twinstream.testkit {
    requires transitive dev.twinstream.core;
    requires transitive org.assertj.core;
    requires transitive org.junit.jupiter.api;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires static software.amazon.awssdk.services.kinesis;
    requires static software.amazon.awssdk.services.firehose;
    requires static software.amazon.awssdk.core;
    requires static software.amazon.awssdk.awscore;
    requires static transitive org.jspecify;

    exports dev.twinstream.testkit;
    exports dev.twinstream.testkit.kinesis;
    exports dev.twinstream.testkit.firehose;
    // SinkCompatibilityKit's @Test methods are run by JUnit through reflection.
    opens dev.twinstream.testkit to org.junit.platform.commons;
}
