package dev.twinstream.benchmarks.compare;

import com.sun.management.OperatingSystemMXBean;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A null AWS endpoint for benchmarks, in its own JVM, on 127.0.0.1 only: accepts everything and
 * stores nothing. One JDK {@link HttpServer} serves plain HTTP (the AWS SDK for Java clients) and one
 * {@link HttpsServer} TLS with a self-signed certificate (the KPL's native process talks HTTPS only);
 * both keep connections alive and set {@code TCP_NODELAY}. It answers Kinesis {@code PutRecords},
 * {@code PutRecord}, {@code ListShards} and {@code DescribeStreamSummary} in JSON 1.1 and CBOR 1.1,
 * Firehose {@code PutRecordBatch} (JSON 1.1) and STS {@code GetCallerIdentity} (query protocol, XML);
 * anything else gets HTTP 400 and is logged (once per kind) on stderr, so a client's unexpected calls
 * show up.
 *
 * <p>It must not be the bottleneck, so it reads request bodies only as far as the answers need
 * (see {@link CborRecords}, {@link JsonRecords}): each Kinesis record's shard (the KPL and Twinstream
 * check that aggregated records land on the shard they predicted) and whether its data is a KPL
 * aggregate. It counts requests, bytes received, records and aggregated records, and reports them
 * with its own process CPU time at {@code GET /__stats} (see {@link EndpointStats}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.twinstream.benchmarks.compare.NullEndpoint
 * [--shards 4] [--threads 8] [--stream bench]}; prints {@code READY http=<port> https=<port>} and
 * runs until its stdin closes.
 */
public final class NullEndpoint implements AutoCloseable {
    /** The path of the counters; not counted itself. */
    static final String STATS_PATH = "/__stats";
    static final String DEFAULT_STREAM = "bench";
    static final int DEFAULT_SHARDS = 4;
    static final int DEFAULT_THREADS = 8;
    private static final String CBOR_1_1 = "application/x-amz-cbor-1.1";
    private static final String JSON_1_1 = "application/x-amz-json-1.1";
    private static final int BACKLOG = 256;
    private static final int LOGGED_BODY_CHARS = 300;
    private static final int HTTP_OK = 200;
    private static final int HTTP_BAD_REQUEST = 400;
    // Base64 of the KPL magic F3 89 9A C2: "84ma" encodes the first three bytes, 'w' the top six bits of C2.
    private static final byte[] MAGIC_BASE64 = "84maw".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

    private final HttpServer http;
    private final HttpsServer https;
    private final ExecutorService executor;
    private final ShardRanges shards;
    private final WireResponses responses;
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final LongAdder requests = new LongAdder();
    private final LongAdder requestBytes = new LongAdder();
    private final LongAdder kinesisRecords = new LongAdder();
    private final LongAdder aggregatedRecords = new LongAdder();
    private final LongAdder firehoseRecords = new LongAdder();
    private final LongAdder handlerNanos = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> targets = new ConcurrentHashMap<>();
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Per handler thread: the body buffer, the answer buffer and the shard list, reused across requests. */
    private static final class Scratch {
        byte[] body = new byte[1 << 20];
        int[] shards = new int[500];
        final Answer answer = new Answer();
    }

    /** A ByteArrayOutputStream whose buffer can be written without copying. */
    private static final class Answer extends ByteArrayOutputStream {
        Answer() {
            super(1 << 16);
        }

        byte[] buffer() {
            return buf;
        }
    }

    /**
     * Creates the endpoint (not yet listening).
     *
     * @param shardCount the stream's shards
     * @param threads handler threads, shared by both servers
     * @param stream the stream's name, as DescribeStreamSummary reports it
     * @throws IOException if a port cannot be bound or keytool fails
     * @throws GeneralSecurityException if the TLS context cannot be built
     */
    NullEndpoint(int shardCount, int threads, String stream) throws IOException, GeneralSecurityException {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle plus the
        // client's delayed ACK add ~40 ms to every call and the benchmark measures that instead.
        // Read once when the JDK's server configuration class loads, so set before the first server.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        shards = new ShardRanges(shardCount);
        responses = new WireResponses(stream, shards);
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "null-endpoint-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        http = HttpServer.create(loopback, BACKLOG);
        https = HttpsServer.create(loopback, BACKLOG);
        https.setHttpsConfigurator(new HttpsConfigurator(SelfSignedTls.create()));
        for (HttpServer server : List.of(http, https)) {
            server.setExecutor(executor);
            server.createContext("/", this::handle);
        }
    }

    /**
     * Runs the endpoint until stdin closes.
     *
     * @param args {@code [--shards n] [--threads n] [--stream name]}
     * @throws Exception if it cannot start
     */
    public static void main(String[] args) throws Exception {
        int shardCount = DEFAULT_SHARDS;
        int threads = DEFAULT_THREADS;
        String stream = DEFAULT_STREAM;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--shards":
                    shardCount = Integer.parseInt(args[i + 1]);
                    break;
                case "--threads":
                    threads = Integer.parseInt(args[i + 1]);
                    break;
                case "--stream":
                    stream = args[i + 1];
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (NullEndpoint endpoint = new NullEndpoint(shardCount, threads, stream)) {
            endpoint.start();
            System.out.println("READY http=" + endpoint.httpPort() + " https=" + endpoint.httpsPort());
            System.out.flush();
            // Runs until stdin closes: the benchmark exited, or closed our stdin to stop us.
            byte[] sink = new byte[64];
            while (System.in.read(sink) >= 0) {
                // Input is ignored; only its end matters.
            }
        }
    }

    /** Starts listening on both ports. */
    void start() {
        http.start();
        https.start();
    }

    /** {@return the plain HTTP port} */
    int httpPort() {
        return http.getAddress().getPort();
    }

    /** {@return the HTTPS port} */
    int httpsPort() {
        return https.getAddress().getPort();
    }

    /** {@return the counters now} */
    EndpointStats stats() {
        Map<String, Long> t = new TreeMap<>();
        targets.forEach((name, count) -> t.put(name, count.sum()));
        return new EndpointStats(requests.sum(), requestBytes.sum(), kinesisRecords.sum(), aggregatedRecords.sum(),
                firehoseRecords.sum(), os.getProcessCpuTime(), handlerNanos.sum(), t);
    }

    @Override
    public void close() {
        http.stop(0);
        https.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            if (STATS_PATH.equals(exchange.getRequestURI().getPath())) {
                exchange.getRequestBody().readAllBytes();
                answer(exchange, HTTP_OK, "text/plain", stats().toLine().getBytes(StandardCharsets.UTF_8));
                return;
            }
            long t0 = System.nanoTime();
            try {
                serve(exchange);
            } finally {
                handlerNanos.add(System.nanoTime() - t0);
            }
        } catch (RuntimeException e) {
            // A body we could not walk: say so loudly, the client will report the 400 too.
            System.err.println("null endpoint: " + e);
            answer(exchange, HTTP_BAD_REQUEST, JSON_1_1, WireResponses.errorJson("SerializationException", String.valueOf(e.getMessage())));
        } finally {
            exchange.close();
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        Scratch s = scratch.get();
        int length = readBody(exchange, s);
        requests.increment();
        requestBytes.add(length + headerBytes(exchange));
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
        boolean cbor = contentType.startsWith(CBOR_1_1);
        String type = cbor ? CBOR_1_1 : JSON_1_1;
        if (target == null) {
            handleQuery(exchange, s.body, length, contentType);
            return;
        }
        count(target);
        switch (target) {
            case "Kinesis_20131202.PutRecords":
                putRecords(exchange, s, length, cbor, type);
                break;
            case "Kinesis_20131202.PutRecord":
                putRecord(exchange, s, length, cbor, type);
                break;
            case "Kinesis_20131202.ListShards":
                answer(exchange, HTTP_OK, type, responses.listShards(cbor));
                break;
            case "Kinesis_20131202.DescribeStreamSummary":
                answer(exchange, HTTP_OK, type, responses.describeStreamSummary(cbor));
                break;
            case "Firehose_20150804.PutRecordBatch":
                int n = JsonRecords.scan(s.body, length, false, (body, d, dl, k, kl, h, hl) -> { });
                firehoseRecords.add(n);
                answer(exchange, HTTP_OK, JSON_1_1, responses.putRecordBatch(n));
                break;
            default:
                unknown(exchange, "UNKNOWN:" + target, s.body, length);
                break;
        }
    }

    private void putRecords(HttpExchange exchange, Scratch s, int length, boolean cbor, String type) throws IOException {
        int[] count = {0};
        RecordFields fields = (body, data, dataLength, key, keyLength, hash, hashLength) -> {
            if (count[0] == s.shards.length) {
                s.shards = Arrays.copyOf(s.shards, s.shards.length * 2);
            }
            s.shards[count[0]++] = shards.shardOf(body, key, keyLength, hash, hashLength, !cbor);
            if (aggregated(body, data, dataLength, cbor)) {
                aggregatedRecords.increment();
            }
        };
        if (cbor) {
            CborRecords.scan(s.body, length, false, fields);
        } else {
            JsonRecords.scan(s.body, length, false, fields);
        }
        kinesisRecords.add(count[0]);
        s.answer.reset();
        responses.putRecords(s.shards, count[0], cbor, s.answer);
        answer(exchange, HTTP_OK, type, s.answer.buffer(), s.answer.size());
    }

    private void putRecord(HttpExchange exchange, Scratch s, int length, boolean cbor, String type) throws IOException {
        int[] shard = {0};
        RecordFields fields = (body, data, dataLength, key, keyLength, hash, hashLength) -> {
            shard[0] = shards.shardOf(body, key, keyLength, hash, hashLength, !cbor);
            if (aggregated(body, data, dataLength, cbor)) {
                aggregatedRecords.increment();
            }
        };
        if (cbor) {
            CborRecords.scan(s.body, length, true, fields);
        } else {
            JsonRecords.scan(s.body, length, true, fields);
        }
        kinesisRecords.increment();
        answer(exchange, HTTP_OK, type, responses.putRecord(shard[0], cbor));
    }

    /** STS and other query-protocol calls: form-encoded {@code Action=…} in the body (or the URL). */
    private void handleQuery(HttpExchange exchange, byte[] body, int length, String contentType) throws IOException {
        String form = contentType.startsWith("application/x-www-form-urlencoded") ? new String(body, 0, length, StandardCharsets.UTF_8)
                : String.valueOf(exchange.getRequestURI().getRawQuery());
        String action = null;
        for (String pair : form.split("&")) {
            if (pair.startsWith("Action=")) {
                action = pair.substring("Action=".length());
            }
        }
        if ("GetCallerIdentity".equals(action)) {
            count("STS.GetCallerIdentity");
            answer(exchange, HTTP_OK, "text/xml", responses.callerIdentity());
        } else {
            unknown(exchange, "UNKNOWN:" + (action == null ? exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    : "Action=" + action), body, length);
        }
    }

    private void unknown(HttpExchange exchange, String what, byte[] body, int length) throws IOException {
        if (targets.get(what) == null) {
            System.err.println("null endpoint: unanswered request " + what + " (" + exchange.getRequestMethod() + " "
                    + exchange.getRequestURI() + ", " + exchange.getRequestHeaders().getFirst("Content-Type") + "): "
                    + new String(body, 0, Math.min(length, LOGGED_BODY_CHARS), StandardCharsets.UTF_8));
        }
        count(what);
        answer(exchange, HTTP_BAD_REQUEST, JSON_1_1, WireResponses.errorJson("UnknownOperationException", what));
    }

    private void count(String target) {
        targets.computeIfAbsent(target, t -> new LongAdder()).increment();
    }

    private static boolean aggregated(byte[] body, int data, int dataLength, boolean cbor) {
        byte[] magic = cbor ? MAGIC : MAGIC_BASE64;
        if (data < 0 || dataLength < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (body[data + i] != magic[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads the body into the thread's buffer (grown as needed); returns its length. */
    private static int readBody(HttpExchange exchange, Scratch s) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            String declared = exchange.getRequestHeaders().getFirst("Content-Length");
            if (declared == null) {
                byte[] all = in.readAllBytes();
                s.body = all.length > s.body.length ? all : s.body;
                System.arraycopy(all, 0, s.body, 0, all.length);
                return all.length;
            }
            int length = Integer.parseInt(declared.trim());
            if (length > s.body.length) {
                s.body = new byte[Math.max(length, s.body.length * 2)];
            }
            int read = in.readNBytes(s.body, 0, length);
            if (read != length) {
                throw new IOException("body ended after " + read + " of " + length + " bytes");
            }
            return length;
        }
    }

    /** The request line and headers as they were on the wire (names and values plus separators). */
    private static long headerBytes(HttpExchange exchange) {
        long n = exchange.getRequestMethod().length() + 1 + exchange.getRequestURI().toString().length() + " HTTP/1.1\r\n".length();
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            for (String v : h.getValue()) {
                n += h.getKey().length() + 2 + v.length() + 2;
            }
        }
        return n + 2;
    }

    private static void answer(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        answer(exchange, status, contentType, body, body.length);
    }

    private static void answer(HttpExchange exchange, int status, String contentType, byte[] body, int length) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000");
        exchange.sendResponseHeaders(status, length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body, 0, length);
        }
    }
}
