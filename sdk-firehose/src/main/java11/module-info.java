/** Twinstream's sink for Amazon Data Firehose ({@link dev.twinstream.firehose.FirehoseSink}). */
module dev.twinstream.firehose {
    requires transitive dev.twinstream.core;
    requires transitive software.amazon.awssdk.services.firehose;
    requires transitive software.amazon.awssdk.core;
    requires dev.twinstream.aws;
    requires org.slf4j;
    requires static transitive org.jspecify;

    exports dev.twinstream.firehose;
}
