package dev.twinstream.testkit.firehose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.twinstream.testkit.ManualClock;
import dev.twinstream.testkit.VirtualScheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.firehose.model.BufferingHints;
import software.amazon.awssdk.services.firehose.model.CompressionFormat;
import software.amazon.awssdk.services.firehose.model.CreateDeliveryStreamRequest;
import software.amazon.awssdk.services.firehose.model.ExtendedS3DestinationConfiguration;
import software.amazon.awssdk.services.firehose.model.InvalidArgumentException;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchRequest;
import software.amazon.awssdk.services.firehose.model.PutRecordBatchResponse;
import software.amazon.awssdk.services.firehose.model.Record;

/** {@code FakeFirehose.builder().s3Directory(dir)}: delivered objects also become files laid out like S3. */
class FakeFirehoseS3DirectoryTest {
    /** The service's object names: {@code YYYY/MM/dd/HH/<stream>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid>}, in UTC. */
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @TempDir
    Path dir;

    private final VirtualScheduler time = new VirtualScheduler();

    private FakeFirehose fake() {
        return FakeFirehose.builder().scheduler(time).seed(3).s3Directory(dir).build();
    }

    private static PutRecordBatchRequest batch(String stream, List<String> records) {
        List<Record> rs = new ArrayList<>();
        for (String r : records) {
            rs.add(Record.builder().data(SdkBytes.fromUtf8String(r)).build());
        }
        return PutRecordBatchRequest.builder().deliveryStreamName(stream).records(rs).build();
    }

    private PutRecordBatchResponse put(FakeFirehose firehose, String stream, String... records) {
        CompletableFuture<PutRecordBatchResponse> f = firehose.putRecordBatch(batch(stream, Arrays.asList(records)));
        time.runPending();
        PutRecordBatchResponse r = f.join();
        assertThat(r.failedPutCount()).isZero();
        return r;
    }

    /** Every regular file under the directory, relative to it, with '/' separators. */
    private List<String> files() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void anObjectAppearsAsAFileWhenItsIntervalPassesNamedAsTheServiceNamesIt() throws IOException {
        FakeFirehose firehose = fake().createStream("clicks", 5, Duration.ofSeconds(60), CompressionFormat.UNCOMPRESSED);
        time.advance(Duration.ofMinutes(59).plusSeconds(30)); // 00:59:30: the object's hour is that of its oldest record
        put(firehose, "clicks", "{\"n\":1}\n{\"n\":2}\n", "{\"n\":3}\n");
        time.advance(Duration.ofSeconds(20));
        put(firehose, "clicks", "{\"n\":4}\n");
        time.advance(Duration.ofSeconds(39));
        assertThat(files()).as("59 s after the first record").isEmpty();

        time.advance(Duration.ofSeconds(1)); // no call or read needed: the buffer's interval is kept on the scheduler
        List<String> files = files();
        assertThat(files).hasSize(1);
        assertThat(files.get(0)).matches("twinstream-fake/2026/01/01/00/clicks-1-2026-01-01-00-59-30-" + UUID);
        assertThat(Files.readAllLines(dir.resolve(files.get(0)), StandardCharsets.UTF_8))
                .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");

        DeliveredObject object = firehose.objects("clicks").get(0);
        assertThat("twinstream-fake/" + object.key()).isEqualTo(files.get(0));
        assertThat(Files.readAllBytes(dir.resolve(files.get(0)))).isEqualTo(object.storedBytes());
        assertThat(object.deliveredAtMillis()).as("delivered at 01:00:30, named after 00:59:30")
                .isEqualTo(Instant.parse("2026-01-01T01:00:30Z").toEpochMilli());
        assertThat(firehose.s3WriteFailures()).isZero();
    }

    @Test
    void anObjectAppearsAsSoonAsTheBufferReachesItsSizeHint() throws IOException {
        FakeFirehose firehose = fake().createStream("big", 1, Duration.ofSeconds(900), CompressionFormat.UNCOMPRESSED);
        char[] fill = new char[400 * 1024 - 1];
        Arrays.fill(fill, 'z');
        String record = new String(fill) + "\n";
        put(firehose, "big", record, record);
        assertThat(files()).isEmpty();
        put(firehose, "big", record, "after\n");
        List<String> files = files();
        assertThat(files).hasSize(1);
        assertThat(Files.size(dir.resolve(files.get(0)))).isEqualTo(3L * record.length());
        assertThat(firehose.objects("big")).hasSize(1);
        assertThat(firehose.lines("big")).endsWith("after");
    }

    @Test
    void gzipObjectsAreStoredCompressedAndDecompressToWhatWasPut() throws IOException {
        FakeFirehose firehose = fake().createStream("z", 5, Duration.ofSeconds(300), CompressionFormat.GZIP);
        put(firehose, "z", "first\nsecond\n", "third\n");
        firehose.flushBuffers();
        List<String> files = files();
        assertThat(files).hasSize(1);
        assertThat(files.get(0)).matches("twinstream-fake/2026/01/01/00/z-1-2026-01-01-00-00-00-" + UUID + "\\.gz");
        byte[] stored = Files.readAllBytes(dir.resolve(files.get(0)));
        assertThat(stored).isEqualTo(firehose.objects("z").get(0).storedBytes());
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(files.get(0))))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1))
                    .containsExactly("first", "second", "third", "");
        }
    }

    @Test
    void theBucketComesFromTheDestinationAndThePrefixComesFirst() throws IOException {
        FakeFirehose firehose = fake();
        CompletableFuture<?> created = firehose.createDeliveryStream(CreateDeliveryStreamRequest.builder()
                .deliveryStreamName("orders")
                .extendedS3DestinationConfiguration(ExtendedS3DestinationConfiguration.builder()
                        .bucketARN("arn:aws:s3:::analytics-raw").roleARN("arn:aws:iam::123456789012:role/r")
                        .prefix("events/orders/")
                        .bufferingHints(BufferingHints.builder().sizeInMBs(5).intervalInSeconds(60).build())
                        .build())
                .build());
        time.runPending();
        created.join();
        put(firehose, "orders", "o1\n");
        time.advance(Duration.ofSeconds(60));
        assertThat(files()).singleElement().asString()
                .matches("analytics-raw/events/orders/2026/01/01/00/orders-1-2026-01-01-00-00-00-" + UUID);
        CompletableFuture<String> bucket = firehose.describeDeliveryStream(r -> r.deliveryStreamName("orders"))
                .thenApply(d -> d.deliveryStreamDescription().destinations().get(0).extendedS3DestinationDescription()
                        .bucketARN());
        time.runPending();
        assertThat(bucket.join()).isEqualTo("arn:aws:s3:::analytics-raw");

        CompletableFuture<?> invalid = firehose.createDeliveryStream(r -> r.deliveryStreamName("bad")
                .extendedS3DestinationConfiguration(s3 -> s3.bucketARN("analytics-raw")));
        time.runPending();
        assertThatThrownBy(invalid::join).hasCauseInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("bucketARN");
    }

    @Test
    void flushBuffersAndCloseWriteWhatIsBuffered() throws IOException {
        FakeFirehose firehose = fake().createStream("a").createStream("b");
        put(firehose, "a", "a1\n");
        firehose.flushBuffers();
        assertThat(files()).hasSize(1);
        put(firehose, "a", "a2\n");
        put(firehose, "b", "b1\n");
        firehose.close();
        assertThat(files()).hasSize(3);
        assertThat(firehose.objects("a")).hasSize(2);
        assertThat(firehose.objects("b").get(0).lines()).containsExactly("b1");
        firehose.close(); // again: nothing left to write
        assertThat(files()).hasSize(3);
    }

    @Test
    void aWriteThatFailsIsCountedAndLoggedWithoutThePayloadAndTheObjectStaysInMemory() throws IOException {
        Path notADirectory = Files.createFile(dir.resolve("occupied"));
        FakeFirehose firehose = FakeFirehose.builder().scheduler(time).s3Directory(notADirectory).build()
                .createStream("s");
        put(firehose, "s", "secret-payload\n");
        String log = standardErrorDuring(firehose::flushBuffers);

        assertThat(firehose.s3WriteFailures()).isEqualTo(1);
        assertThat(firehose.objects("s")).singleElement()
                .satisfies(o -> assertThat(o.lines()).containsExactly("secret-payload"));
        assertThat(log).contains("WARN").contains("could not write object").contains(firehose.objects("s").get(0).key())
                .doesNotContain("secret-payload");
        assertThat(Files.isRegularFile(notADirectory)).isTrue();

        put(firehose, "s", "next\n");
        standardErrorDuring(firehose::flushBuffers);
        assertThat(firehose.s3WriteFailures()).isEqualTo(2);
        assertThat(firehose.objects("s")).hasSize(2);
    }

    @Test
    void withoutASchedulerAnObjectIsWrittenWhenTheNextCallFindsItsIntervalPassed() throws IOException {
        ManualClock clock = new ManualClock();
        FakeFirehose firehose = FakeFirehose.builder().clock(clock).s3Directory(dir).build()
                .createStream("s", 1, Duration.ofSeconds(60), CompressionFormat.UNCOMPRESSED);
        firehose.putRecordBatch(batch("s", List.of("x\n"))).join();
        clock.advance(Duration.ofSeconds(61));
        assertThat(files()).as("nothing runs the interval without a scheduler").isEmpty();
        assertThat(firehose.objects("s")).hasSize(1);
        assertThat(files()).hasSize(1);
    }

    /** What is written to {@code System.err} (where slf4j-simple logs) while {@code action} runs. */
    private static String standardErrorDuring(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            action.run();
        } finally {
            System.setErr(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
