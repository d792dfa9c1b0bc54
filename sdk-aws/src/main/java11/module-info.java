/**
 * Twinstream's AWS error policy and client settings, shared by the Amazon Data Firehose and Amazon
 * Kinesis Data Streams sinks. Not an API: its one package is exported only to those two modules.
 */
// javac checks the target modules of a qualified export and warns ("module not found") when they are
// not on the module path, which they cannot be here: they depend on this module. The warning is about
// that and nothing else, so it is suppressed for this declaration only (-Werror would fail on it).
@SuppressWarnings("module")
module dev.twinstream.aws {
    requires transitive dev.twinstream.core;
    requires transitive software.amazon.awssdk.core;
    requires transitive software.amazon.awssdk.awscore;
    requires software.amazon.awssdk.retries.api;
    requires transitive org.slf4j;
    requires static transitive org.jspecify;

    exports dev.twinstream.aws.internal to dev.twinstream.firehose, dev.twinstream.kinesis;
}
