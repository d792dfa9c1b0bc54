package dev.twinstream.testkit.firehose;

import static dev.twinstream.testkit.TwinstreamAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.testkit.ManualClock;
import dev.twinstream.testkit.VirtualScheduler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.firehose.model.BufferingHints;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.ConcurrentModificationException;
import software.amazon.awssdk.services.firehose.model.CopyCommand;
import software.amazon.awssdk.services.firehose.model.CreateDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.DeliveryStreamDescription;
import software.amazon.awssdk.services.firehose.model.FirehoseException;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.InvalidKmsResourceException;
import software.amazon.awssdk.services.firehose.model.InvalidSourceException;
import software.amazon.awssdk.services.firehose.model.LimitExceededException;
import software.amazon.awssdk.services.firehose.model.ListDeliveryStreamsResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponseEntry;
import software.amazon.awssdk.services.firehose.model.Record;
import software.amazon.awssdk.services.firehose.model.RedshiftDestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.ResourceInUseException;
import software.amazon.awssdk.services.firehose.model.ResourceNotFoundException;
import software.amazon.awssdk.services.firehose.model.S3DestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.ServiceUnavailableException;

class FakeFirehoseTest {
    private final VirtualScheduler time = new VirtualScheduler();
    private final FakeFirehose firehose = FakeFirehose.builder().scheduler(time).seed(7).build();

    private static PutRecordBatchRequest batch(String stream, List<byte[]> records) {
        List<Record> rs = new ArrayList<>();
        for (byte[] r : records) {
            rs.add(Record.builder().data(SdkBytes.fromByteArray(r)).build());
        }
        return PutRecordBatchRequest.builder().deliveryStreamName(stream).records(rs).build();
    }

    private static List<byte[]> lines(String prefix, int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((prefix + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private <T> T await(CompletableFuture<T> future) {
        assertThat(future).as("completes only when the scheduler runs").isNotDone();
        time.runPending();
        return future.join();
    }

    private Throwable failure(CompletableFuture<?> future) {
        time.runPending();
        assertThat(future).isCompletedExceptionally();
        Throwable t = future.handle((v, e) -> e).join();
        assertThat(t).isInstanceOf(CompletionException.class);
        return t.getCause();
    }

    @Test
    void acceptsABatchAndAnswersOneEntryPerRecord() {
        firehose.createStream("s");
        PutRecordBatchResponse response = await(firehose.putRecordBatch(batch("s", lines("a", 3))));
        assertThat(response.failedPutCount()).isZero();
        assertThat(response.requestResponses()).hasSize(3).allSatisfy(e -> {
            assertThat(e.recordId()).isNotBlank();
            assertThat(e.errorCode()).isNull();
        });
        assertThat(firehose.lines("s")).containsExactly("a0", "a1", "a2");
        assertThat(firehose).hasReceivedLines("s", 3).hasNoDuplicateLines("s").neverExceededItsLimits();
    }

    @Test
    void enforcesTheRealLimitsWithInvalidArgumentException() {
        firehose.createStream("s");
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("x", 501)))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("less than or equal to 500");
        assertThat(failure(firehose.putRecordBatch(batch("s", List.of(new byte[FakeFirehose.MAX_BYTES_PER_RECORD + 1])))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("1024000");
        List<byte[]> fiveMiB = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fiveMiB.add(new byte[FakeFirehose.MAX_BYTES_PER_RECORD]);
        }
        assertThat(failure(firehose.putRecordBatch(batch("s", fiveMiB))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("4194304");
        assertThat(failure(firehose.putRecordBatch(batch("s", List.of()))))
                .isInstanceOf(InvalidArgumentException.class);

        // Exactly at the limits is fine.
        List<byte[]> fourMiB = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fourMiB.add(new byte[FakeFirehose.MAX_BYTES_PER_RECORD]);
        }
        fourMiB.add(new byte[(int) (FakeFirehose.MAX_BYTES_PER_REQUEST - 4L * FakeFirehose.MAX_BYTES_PER_RECORD)]);
        assertThat(await(firehose.putRecordBatch(batch("s", fourMiB))).failedPutCount()).isZero();
        assertThat(await(firehose.putRecordBatch(batch("s", lines("y", 500)))).failedPutCount()).isZero();

        assertThat(firehose.limitViolations()).hasSize(4);
        assertThat(firehose.stats("s").records()).isEqualTo(505);
        assertThatThrownBy(() -> assertThat(firehose).neverExceededItsLimits())
                .isInstanceOf(AssertionError.class).hasMessageContaining("4 did");
    }

    @Test
    void unknownAndDeletedStreamsGiveResourceNotFound() {
        assertThat(failure(firehose.putRecordBatch(batch("nope", lines("a", 1)))))
                .isInstanceOf(ResourceNotFoundException.class)
                .satisfies(e -> assertThat(((ResourceNotFoundException) e).awsErrorDetails().errorCode())
                        .isEqualTo("ResourceNotFoundException"))
                .hasMessageContaining("nope");
        firehose.createStream("gone");
        await(firehose.deleteDeliveryStream(r -> r.deliveryStreamName("gone")));
        assertThat(failure(firehose.putRecordBatch(batch("gone", lines("a", 1))))).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void createDescribeAndListStreams() {
        CreateDeliveryStreamRequest redshift = CreateDeliveryStreamRequest.builder()
                .deliveryStreamName("realtime")
                .redshiftDestinationConfiguration(RedshiftDestinationConfiguration.builder()
                        .clusterJDBCURL("jdbc:redshift://example:5439/db").username("u").roleARN("arn:aws:iam::1:role/r")
                        .copyCommand(CopyCommand.builder().dataTableName("events").build())
                        .s3Configuration(S3DestinationConfiguration.builder().bucketARN("arn:aws:s3:::b").roleARN("arn:aws:iam::1:role/r")
                                .bufferingHints(BufferingHints.builder().sizeInMBs(1).intervalInSeconds(60).build())
                                .compressionFormat(CompressionFormat.GZIP).build())
                        .build())
                .build();
        assertThat(await(firehose.createDeliveryStream(redshift)).deliveryStreamARN())
                .isEqualTo("arn:aws:firehose:us-east-1:123456789012:deliverystream/realtime");
        assertThat(failure(firehose.createDeliveryStream(redshift))).isInstanceOf(ResourceInUseException.class);
        firehose.createStream("b-backup").createStream("a-backup");

        DeliveryStreamDescription d = await(firehose.describeDeliveryStream(r -> r.deliveryStreamName("realtime")))
                .deliveryStreamDescription();
        assertThat(d.deliveryStreamStatusAsString()).isEqualTo("ACTIVE");
        assertThat(d.destinations().get(0).extendedS3DestinationDescription().bufferingHints().intervalInSeconds()).isEqualTo(60);
        assertThat(d.destinations().get(0).extendedS3DestinationDescription().compressionFormat()).isEqualTo(CompressionFormat.GZIP);

        ListDeliveryStreamsResponse page = await(firehose.listDeliveryStreams(r -> r.limit(2)));
        assertThat(page.deliveryStreamNames()).containsExactly("a-backup", "b-backup");
        assertThat(page.hasMoreDeliveryStreams()).isTrue();
        ListDeliveryStreamsResponse next = await(firehose.listDeliveryStreams(r -> r.exclusiveStartDeliveryStreamName("b-backup")));
        assertThat(next.deliveryStreamNames()).containsExactly("realtime");
        assertThat(next.hasMoreDeliveryStreams()).isFalse();
        assertThat(failure(firehose.createDeliveryStream(r -> r.deliveryStreamName("bad name"))))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void buffersIntoObjectsBySizeAndIntervalOnTheVirtualClock() {
        firehose.createStream("s", 1, Duration.ofSeconds(60), CompressionFormat.UNCOMPRESSED);
        await(firehose.putRecordBatch(batch("s", lines("a", 2))));
        time.advance(Duration.ofSeconds(59));
        assertThat(firehose.objects("s")).isEmpty();
        time.advance(Duration.ofSeconds(1));
        List<DeliveredObject> objects = firehose.objects("s");
        assertThat(objects).hasSize(1);
        assertThat(objects.get(0).lines()).containsExactly("a0", "a1");
        assertThat(objects.get(0).key()).matches("2026/01/01/00/s-1-2026-01-01-00-00-00-[0-9a-f-]{36}");
        assertThat(objects.get(0).deliveredAtMillis() - ManualClock.DEFAULT_START.toEpochMilli()).isEqualTo(60_000);

        // 1 MiB size hint: the buffer is delivered as soon as it reaches it.
        List<byte[]> big = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] r = new byte[400 * 1024];
            java.util.Arrays.fill(r, (byte) 'z');
            r[r.length - 1] = '\n';
            big.add(r);
        }
        await(firehose.putRecordBatch(batch("s", big)));
        assertThat(firehose.objects("s")).hasSize(2);
        assertThat(firehose.objects("s").get(1).recordCount()).isEqualTo(3);
        assertThat(firehose).hasObjectsContainingLines("s", "a0", "a1").hasDeliveredEverythingToObjects("s");
    }

    @Test
    void gzipObjectsReadBackLineByLine() {
        firehose.createStream("z", 5, Duration.ofSeconds(300), CompressionFormat.GZIP);
        await(firehose.putRecordBatch(batch("z", List.of("{\"a\":1}\n{\"a\":2}\n".getBytes(StandardCharsets.UTF_8)))));
        assertThat(firehose.objects("z")).isEmpty();
        firehose.flushBuffers();
        DeliveredObject o = firehose.objects("z").get(0);
        assertThat(o.key()).endsWith(".gz");
        assertThat(o.isGzip()).isTrue();
        assertThat(o.storedBytes()[0] & 0xff).isEqualTo(0x1f);
        assertThat(o.lines()).containsExactly("{\"a\":1}", "{\"a\":2}");
        assertThat(firehose).hasObjectsContainingLines("z", "{\"a\":2}");
    }

    @Test
    void billsEachRecordInFiveKibIncrements() {
        firehose.createStream("s");
        await(firehose.putRecordBatch(batch("s", List.of(new byte[1], new byte[5120], new byte[5121], new byte[12 * 1024]))));
        StreamStats stats = firehose.stats("s");
        assertThat(stats.records()).isEqualTo(4);
        assertThat(stats.bytes()).isEqualTo(1 + 5120 + 5121 + 12 * 1024);
        assertThat(stats.billedBytes()).isEqualTo(5120 + 5120 + 10240 + 15 * 1024);
    }

    @Test
    void entryFailuresAreSeededAndDeterministic() {
        List<Integer> first = failedPositions(42);
        List<Integer> second = failedPositions(42);
        List<Integer> other = failedPositions(43);
        assertThat(first).isEqualTo(second).isNotEqualTo(other);
        assertThat(first.size()).isBetween(120, 180); // 30% of 500
    }

    private static List<Integer> failedPositions(long seed) {
        FakeFirehose f = FakeFirehose.builder().seed(seed).build().createStream("s");
        f.failFraction(0.3, "InternalFailure");
        PutRecordBatchResponse r = f.putRecordBatch(batch("s", lines("e", 500))).join();
        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            if (r.requestResponses().get(i).errorCode() != null) {
                assertThat(r.requestResponses().get(i).errorCode()).isEqualTo("InternalFailure");
                assertThat(r.requestResponses().get(i).errorMessage()).isNotBlank();
                failed.add(i);
            }
        }
        assertThat(r.failedPutCount()).isEqualTo(failed.size());
        assertThat(f.stats("s").records()).isEqualTo(500 - failed.size());
        assertThat(f.stats("s").entriesFailed()).isEqualTo(failed.size());
        return failed;
    }

    @Test
    void throttlingLatencyOutagesAndInjectedCallErrors() {
        firehose.createStream("s");
        firehose.throttleNextCalls(1);
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("a", 1))))).isInstanceOf(ServiceUnavailableException.class)
                .hasMessageContaining("Slow down.");
        assertThat(await(firehose.putRecordBatch(batch("s", lines("a", 1)))).failedPutCount()).isZero();

        firehose.throttleFor(Duration.ofSeconds(10));
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("b", 1))))).isInstanceOf(ServiceUnavailableException.class);
        time.advance(Duration.ofSeconds(10));
        assertThat(await(firehose.putRecordBatch(batch("s", lines("b", 1)))).failedPutCount()).isZero();

        firehose.createStream("t").throttleFor("t", Duration.ofSeconds(10));
        assertThat(failure(firehose.putRecordBatch(batch("t", lines("t", 1))))).isInstanceOf(ServiceUnavailableException.class);
        assertThat(await(firehose.putRecordBatch(batch("s", lines("x", 1)))).failedPutCount()).as("other streams").isZero();
        time.advance(Duration.ofSeconds(10));
        assertThat(await(firehose.putRecordBatch(batch("t", lines("t", 1)))).failedPutCount()).isZero();

        firehose.downFor(Duration.ofMinutes(1));
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("c", 1))))).isInstanceOf(SdkClientException.class);
        time.advance(Duration.ofMinutes(1));

        firehose.failNextCalls(1, "InvalidKMSResourceException");
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("d", 1))))).isInstanceOf(InvalidKmsResourceException.class);

        firehose.latency(Duration.ofMillis(250));
        CompletableFuture<PutRecordBatchResponse> slow = firehose.putRecordBatch(batch("s", lines("e", 1)));
        time.advance(Duration.ofMillis(249));
        assertThat(slow).isNotDone();
        time.advance(Duration.ofMillis(1));
        assertThat(slow).isCompleted();

        assertThat(firehose.lines("s")).containsExactly("a0", "b0", "x0", "e0");
        assertThat(firehose.stats("s").failedCalls()).isEqualTo(3);
    }

    @Test
    void downForMakesTheServiceUnreachableForTheWindow() {
        firehose.createStream("s").downFor(Duration.ofSeconds(30));
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("a", 1))))).isInstanceOf(SdkClientException.class)
                .hasMessageContaining("FakeFirehose outage");
        assertThat(failure(firehose.describeDeliveryStream(r -> r.deliveryStreamName("s")))).isInstanceOf(SdkClientException.class);
        time.advance(Duration.ofSeconds(30));
        assertThat(await(firehose.putRecordBatch(batch("s", lines("b", 1)))).failedPutCount()).isZero();
        assertThat(firehose.lines("s")).containsExactly("b0");
        assertThatThrownBy(() -> firehose.downFor(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @SuppressWarnings("removal")
    void theDeprecatedNamesDelegateToTheNewOnes() {
        firehose.createStream("s").outageFor(Duration.ofSeconds(1));
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("a", 1))))).isInstanceOf(SdkClientException.class);
        time.advance(Duration.ofSeconds(1));

        firehose.failEntries(1.0, "InternalFailure");
        assertThat(await(firehose.putRecordBatch(batch("s", lines("b", 2)))).requestResponses())
                .extracting(PutRecordBatchResponseEntry::errorCode).containsOnly("InternalFailure");
        firehose.failEntries(0, "InternalFailure");

        firehose.failNextCalls(1, () -> (FirehoseException) FirehoseException.builder().statusCode(418)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("Teapot").build()).build());
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("c", 1)))))
                .isInstanceOfSatisfying(FirehoseException.class, e -> assertThat(e.statusCode()).isEqualTo(418));
        assertThat(firehose.lines("s")).isEmpty();
    }

    @Test
    void failNextCallsThrowsTheExceptionTheServiceReturnsForTheCode() {
        Object[][] cases = {
            {"InvalidKMSResourceException", InvalidKmsResourceException.class, 400},
            {"ResourceNotFoundException", ResourceNotFoundException.class, 400},
            {"ServiceUnavailableException", ServiceUnavailableException.class, 503},
            {"InvalidArgumentException", InvalidArgumentException.class, 400},
            {"LimitExceededException", LimitExceededException.class, 400},
            {"ResourceInUseException", ResourceInUseException.class, 400},
            {"InvalidSourceException", InvalidSourceException.class, 400},
            {"ConcurrentModificationException", ConcurrentModificationException.class, 400},
            {"ExpiredTokenException", FirehoseException.class, 400},
        };
        firehose.createStream("s");
        for (Object[] c : cases) {
            String code = (String) c[0];
            firehose.failNextCalls(1, code);
            Throwable t = failure(firehose.putRecordBatch(batch("s", lines("x", 1))));
            assertThat(t).as(code).isExactlyInstanceOf((Class<?>) c[1]);
            FirehoseException e = (FirehoseException) t;
            assertThat(e.awsErrorDetails().errorCode()).as(code).isEqualTo(code);
            assertThat(e.statusCode()).as(code).isEqualTo(c[2]);
        }
        assertThat(firehose.lines("s")).isEmpty();
        assertThat(firehose.stats("s").failedCalls()).isEqualTo(cases.length);
        assertThat(await(firehose.putRecordBatch(batch("s", lines("y", 1)))).failedPutCount()).as("used up").isZero();
    }

    @Test
    void failFractionFailsEntriesWithTheCodeAndPutRecordThrowsIt() {
        firehose.createStream("s").failFraction(1.0, "KMS.AccessDeniedException");
        PutRecordBatchResponse r = await(firehose.putRecordBatch(batch("s", lines("a", 3))));
        assertThat(r.failedPutCount()).isEqualTo(3);
        assertThat(r.requestResponses()).allSatisfy(e -> {
            assertThat(e.errorCode()).isEqualTo("KMS.AccessDeniedException");
            assertThat(e.errorMessage()).isNotBlank();
            assertThat(e.recordId()).isNull();
        });
        Throwable single = failure(firehose.putRecord(p -> p.deliveryStreamName("s")
                .record(Record.builder().data(SdkBytes.fromUtf8String("b\n")).build())));
        assertThat(single).isExactlyInstanceOf(FirehoseException.class);
        assertThat(((FirehoseException) single).awsErrorDetails().errorCode()).isEqualTo("KMS.AccessDeniedException");
        assertThat(((FirehoseException) single).statusCode()).isEqualTo(400);
        assertThat(firehose.lines("s")).isEmpty();
        assertThat(firehose.stats("s").entriesFailed()).isEqualTo(4);
    }

    @Test
    void throttleFractionThrottlesEntriesAsTheServiceDoesBeforeTheFailures() {
        firehose.createStream("s").throttleFraction(1.0).failFraction(1.0, "InternalFailure");
        PutRecordBatchResponse r = await(firehose.putRecordBatch(batch("s", lines("a", 3))));
        assertThat(r.requestResponses()).allSatisfy(e -> {
            assertThat(e.errorCode()).isEqualTo("ServiceUnavailableException");
            assertThat(e.errorMessage()).isEqualTo("Slow down.");
        });
        Throwable single = failure(firehose.putRecord(p -> p.deliveryStreamName("s")
                .record(Record.builder().data(SdkBytes.fromUtf8String("b\n")).build())));
        assertThat(single).isExactlyInstanceOf(ServiceUnavailableException.class);
        assertThat(((ServiceUnavailableException) single).statusCode()).isEqualTo(503);

        FakeFirehose seeded = FakeFirehose.builder().seed(11).build().createStream("s").throttleFraction(0.3);
        PutRecordBatchResponse some = seeded.putRecordBatch(batch("s", lines("e", 500))).join();
        assertThat(some.failedPutCount()).isBetween(110, 190);
        assertThat(seeded.stats("s").records()).isEqualTo(500 - some.failedPutCount());
        assertThatThrownBy(() -> seeded.throttleFraction(-0.1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void putRecordAndOtherOperations() {
        firehose.createStream("s");
        assertThat(await(firehose.putRecord(r -> r.deliveryStreamName("s")
                .record(Record.builder().data(SdkBytes.fromUtf8String("one\n")).build()))).recordId()).isNotBlank();
        assertThat(firehose.lines("s")).containsExactly("one");
        assertThat(firehose.serviceName()).isEqualTo("firehose");
        assertThatThrownBy(() -> firehose.tagDeliveryStream(r -> r.deliveryStreamName("s")))
                .isInstanceOf(UnsupportedOperationException.class);
        firehose.close();
        assertThat(failure(firehose.putRecordBatch(batch("s", lines("a", 1))))).isInstanceOf(IllegalStateException.class);
    }
}
