/**
 * Implementation, not API, may change in any release: the error policy that every Twinstream AWS
 * sink applies ({@link dev.twinstream.aws.internal.AwsErrors}: the codes, HTTP statuses, SDK client
 * exceptions and programming errors common to AWS services, after the sink's own service table) and
 * the SDK client settings the sinks recommend and check ({@link dev.twinstream.aws.internal.AwsClientSettings}).
 * The module exports this package only to {@code dev.twinstream.firehose} and {@code dev.twinstream.kinesis}.
 */
@NullMarked
package dev.twinstream.aws.internal;

import org.jspecify.annotations.NullMarked;
