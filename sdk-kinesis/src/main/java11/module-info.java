/** Twinstream's sink for Amazon Kinesis Data Streams ({@link dev.twinstream.kinesis.KinesisSink}). */
module dev.twinstream.kinesis {
    requires transitive dev.twinstream.core;
    requires transitive software.amazon.awssdk.services.kinesis;
    requires transitive software.amazon.awssdk.core;
    requires dev.twinstream.aws;
    requires software.amazon.awssdk.http;
    requires com.github.benmanes.caffeine;
    requires org.slf4j;
    requires static transitive org.jspecify;

    exports dev.twinstream.kinesis;
}
