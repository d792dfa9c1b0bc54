package dev.twinstream.benchmarks.kinesis;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal, fast Kinesis endpoint for the benchmark: answers {@code ListShards} (one shard) and
 * {@code PutRecords} (accepts every record and counts them) in CBOR (the SDK's default) or JSON,
 * on 127.0.0.1. It does not parse requests: it counts the {@code PartitionKey} fields in the body,
 * which is all the response needs. Runs in its own JVM ({@link #main}) so the benchmark's
 * "whole-process CPU" is the client's alone.
 */
public final class LocalKinesisEndpoint {
    static final String SHARD_ID = "shardId-000000000000";
    static final String SEQUENCE = "49600000000000000000000000000000000000000000000000000001";
    private static final byte[] CBOR_KEY = cborText("PartitionKey");
    private static final byte[] JSON_KEY = "\"PartitionKey\"".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final Map<Integer, byte[]> cborResponses = new ConcurrentHashMap<>();
    private final Map<Integer, byte[]> jsonResponses = new ConcurrentHashMap<>();

    LocalKinesisEndpoint(int port, int threads) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        executor = Executors.newFixedThreadPool(threads);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Starts the endpoint; prints {@code READY <port>} and, on each line read from stdin, the counts. */
    public static void main(String[] args) throws IOException {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle plus the
        // client's delayed ACK add ~40 ms to every call and the benchmark measures that instead.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        LocalKinesisEndpoint endpoint = new LocalKinesisEndpoint(0, threads);
        endpoint.server.start();
        System.out.println("READY " + endpoint.server.getAddress().getPort());
        System.out.flush();
        // Runs until stdin closes (the benchmark process exits or destroys us).
        byte[] buffer = new byte[64];
        while (System.in.read(buffer) > 0) {
            System.out.println("COUNT " + endpoint.records.get() + " " + endpoint.bytes.get());
            System.out.flush();
        }
        endpoint.server.stop(0);
        endpoint.executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = readAll(exchange.getRequestBody());
        bytes.addAndGet(body.length);
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        boolean cbor = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")).contains("cbor");
        byte[] response;
        if (target != null && target.endsWith(".PutRecords")) {
            int n = count(body, cbor ? CBOR_KEY : JSON_KEY);
            records.addAndGet(n);
            response = cbor ? cborResponses.computeIfAbsent(n, LocalKinesisEndpoint::cborPutRecords)
                    : jsonResponses.computeIfAbsent(n, LocalKinesisEndpoint::jsonPutRecords);
        } else if (target != null && target.endsWith(".ListShards")) {
            response = cbor ? cborListShards() : jsonListShards();
        } else {
            response = new byte[0];
            exchange.sendResponseHeaders(400, -1);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1");
        exchange.sendResponseHeaders(200, response.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (InputStream body = in) {
            return body.readAllBytes();
        }
    }

    static int count(byte[] body, byte[] key) {
        int n = 0;
        int limit = body.length - key.length;
        byte first = key[0];
        outer:
        for (int i = 0; i <= limit; i++) {
            if (body[i] != first) {
                continue;
            }
            for (int k = 1; k < key.length; k++) {
                if (body[i + k] != key[k]) {
                    continue outer;
                }
            }
            n++;
            i += key.length - 1;
        }
        return n;
    }

    private static byte[] jsonPutRecords(int n) {
        StringBuilder sb = new StringBuilder("{\"FailedRecordCount\":0,\"Records\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"SequenceNumber\":\"").append(SEQUENCE).append("\",\"ShardId\":\"")
                    .append(SHARD_ID).append("\"}");
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] jsonListShards() {
        return ("{\"Shards\":[{\"ShardId\":\"" + SHARD_ID + "\",\"HashKeyRange\":{\"StartingHashKey\":\"0\","
                + "\"EndingHashKey\":\"340282366920938463463374607431768211455\"},"
                + "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"" + SEQUENCE + "\"}}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] cborPutRecords(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out, 5, 2);
        out.writeBytes(cborText("FailedRecordCount"));
        header(out, 0, 0);
        out.writeBytes(cborText("Records"));
        header(out, 4, n);
        byte[] entry = cborEntry();
        for (int i = 0; i < n; i++) {
            out.writeBytes(entry);
        }
        return out.toByteArray();
    }

    private static byte[] cborEntry() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out, 5, 2);
        out.writeBytes(cborText("SequenceNumber"));
        out.writeBytes(cborText(SEQUENCE));
        out.writeBytes(cborText("ShardId"));
        out.writeBytes(cborText(SHARD_ID));
        return out.toByteArray();
    }

    private static byte[] cborListShards() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        header(out, 5, 1);
        out.writeBytes(cborText("Shards"));
        header(out, 4, 1);
        header(out, 5, 3);
        out.writeBytes(cborText("ShardId"));
        out.writeBytes(cborText(SHARD_ID));
        out.writeBytes(cborText("HashKeyRange"));
        header(out, 5, 2);
        out.writeBytes(cborText("StartingHashKey"));
        out.writeBytes(cborText("0"));
        out.writeBytes(cborText("EndingHashKey"));
        out.writeBytes(cborText("340282366920938463463374607431768211455"));
        out.writeBytes(cborText("SequenceNumberRange"));
        header(out, 5, 1);
        out.writeBytes(cborText("StartingSequenceNumber"));
        out.writeBytes(cborText(SEQUENCE));
        return out.toByteArray();
    }

    static byte[] cborText(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        header(out, 3, b.length);
        out.writeBytes(b);
        return out.toByteArray();
    }

    /** A CBOR item header: major type and length/value. */
    private static void header(ByteArrayOutputStream out, int major, long value) {
        int m = major << 5;
        if (value < 24) {
            out.write(m | (int) value);
        } else if (value < 256) {
            out.write(m | 24);
            out.write((int) value);
        } else if (value < 65536) {
            out.write(m | 25);
            out.write((int) (value >> 8));
            out.write((int) value);
        } else {
            out.write(m | 26);
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write((int) (value >> shift));
            }
        }
    }
}
