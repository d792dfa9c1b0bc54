package dev.twinstream.benchmarks.compare;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The contenders, by service: their command-line names, table labels and how each is built. */
enum ContenderKind {
    /** Twinstream's Kinesis sink with its defaults (aggregation on). */
    TWINSTREAM_AGGREGATION("twinstream-agg", Service.KINESIS, "Twinstream KinesisSink, aggregation (defaults)"),
    /** Twinstream's Kinesis sink, one record per event. */
    TWINSTREAM_PLAIN("twinstream-plain", Service.KINESIS, "Twinstream KinesisSink, aggregation(false)"),
    /** The KPL with aggregation. */
    KPL("kpl", Service.KINESIS, "KPL 1.1.1, aggregation"),
    /** Raw PutRecords, 4 calls in flight: the baseline of the ratios. */
    RAW_4("raw-4", Service.KINESIS, "raw putRecords, 500/call, 4 in flight"),
    /** Raw PutRecords, 16 calls in flight. */
    RAW_16("raw-16", Service.KINESIS, "raw putRecords, 500/call, 16 in flight"),
    /** Twinstream's Firehose sink with its default packing. */
    TWINSTREAM_FIREHOSE("twinstream-firehose", Service.FIREHOSE, "Twinstream FirehoseSink, packing (defaults)"),
    /** Raw PutRecordBatch, 4 calls in flight. */
    RAW_FIREHOSE_4("raw-firehose-4", Service.FIREHOSE, "raw putRecordBatch, 500/call, 4 in flight");

    /** The service a contender writes to; one table each. */
    enum Service {
        /** Kinesis Data Streams. */
        KINESIS,
        /** Amazon Data Firehose. */
        FIREHOSE
    }

    private static final int RAW_IN_FLIGHT = 4;
    private static final int RAW_IN_FLIGHT_HIGH = 16;

    private final String id;
    private final Service service;
    private final String label;

    ContenderKind(String id, Service service, String label) {
        this.id = id;
        this.service = service;
        this.label = label;
    }

    /** {@return the command-line name} */
    String id() {
        return id;
    }

    /** {@return the service it writes to} */
    Service service() {
        return service;
    }

    /** {@return the table label} */
    String label() {
        return label;
    }

    /**
     * Builds the contender (clients, tracker or producer started).
     *
     * @param httpPort the endpoint's plain HTTP port
     * @param httpsPort the endpoint's HTTPS port
     * @return the contender
     */
    Contender create(int httpPort, int httpsPort) {
        switch (this) {
            case TWINSTREAM_AGGREGATION:
                return TwinstreamContender.kinesis(httpPort, true);
            case TWINSTREAM_PLAIN:
                return TwinstreamContender.kinesis(httpPort, false);
            case KPL:
                return new KplContender(httpsPort);
            case RAW_4:
                return new RawKinesisContender(httpPort, RAW_IN_FLIGHT);
            case RAW_16:
                return new RawKinesisContender(httpPort, RAW_IN_FLIGHT_HIGH);
            case TWINSTREAM_FIREHOSE:
                return TwinstreamContender.firehose(httpPort);
            case RAW_FIREHOSE_4:
                return new RawFirehoseContender(httpPort, RAW_IN_FLIGHT);
            default:
                throw new AssertionError(this);
        }
    }

    /**
     * {@return the contender of that command-line name}
     *
     * @param id a name as {@link #id()} gives it
     * @throws IllegalArgumentException if none has it
     */
    static ContenderKind of(String id) {
        for (ContenderKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("no contender named " + id + "; known: "
                + Arrays.stream(values()).map(ContenderKind::id).collect(Collectors.joining(", ")) + ", or kinesis, firehose");
    }

    /**
     * {@return whether a {@code --only} word selects this contender}
     *
     * @param word a contender name or a service name
     */
    boolean selectedBy(String word) {
        return id.equals(word) || service.name().toLowerCase(Locale.ROOT).equals(word);
    }
}
