/**
 * The local AWS endpoint: {@code FakeKinesis} and {@code FakeFirehose} served over the real AWS wire
 * protocols by WireMock on 127.0.0.1, for tests that use real SDK clients
 * ({@link dev.twinstream.testkit.endpoint.LocalAwsExtension}), wire-level faults
 * ({@link dev.twinstream.testkit.endpoint.WireFault}), and a standalone emulator for the AWS CLI and
 * other SDKs ({@link dev.twinstream.testkit.endpoint.LocalAwsEmulator}).
 */
@NullMarked
package dev.twinstream.testkit.endpoint;

import org.jspecify.annotations.NullMarked;
