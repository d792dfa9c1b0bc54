package dev.twinstream.benchmarks.kinesis;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-byte digests every aggregated Kinesis request pays, on their own: MD5 (the KPL format's
 * trailer over each aggregated record) and SHA-256 (SigV4's hash of the request body). They bound
 * from below the CPU per event of any aggregating producer, whatever its own code costs; see the
 * "Kinesis aggregation" section of {@code docs/BENCHMARKS.md}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@State(Scope.Thread)
public class DigestBenchmark {
    /** Bytes digested per operation: one aggregated record of about 1 MiB. */
    @Param({"1048576"})
    int bytes;

    @Param({"MD5", "SHA-256"})
    String algorithm;

    private byte[] data;
    private MessageDigest digest;

    @Setup
    public void setUp() throws NoSuchAlgorithmException {
        data = new byte[bytes];
        new Random(1).nextBytes(data);
        digest = MessageDigest.getInstance(algorithm);
    }

    @Benchmark
    public byte[] digest() {
        digest.update(data);
        return digest.digest();
    }
}
