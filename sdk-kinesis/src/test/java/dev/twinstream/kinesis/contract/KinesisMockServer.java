package dev.twinstream.kinesis.contract;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import dev.twinstream.kinesis.KinesisSink;

/**
 * Runs kinesis-mock (npm package {@code kinesis-local}) for one test class, on 127.0.0.1 only.
 *
 * <p>Where it looks: the package folder given by the system property {@code twinstream.kinesisLocal.dir},
 * else {@code $TWINSTREAM_CACHE/kinesis-local/node_modules/kinesis-local} (default cache
 * {@code ~/.cache/twinstream}), which {@code .ci/run} fills with
 * {@code npm i --prefix <cache>/kinesis-local kinesis-local@<version>}. If it is missing and npm is
 * on the PATH, it is installed there first. If Node.js is missing the test FAILS with instructions:
 * the contract tests are never skipped silently.
 *
 * <p>It starts {@code node -r listen-on-loopback.js main.js} in the package folder (so kinesis-mock
 * finds its {@code server.json}) with free plain and TLS ports; the preload rewrites every listen to
 * 127.0.0.1 and reports the bound addresses, which {@link #start} checks. {@link #close} destroys the
 * process tree.
 */
public final class KinesisMockServer implements AutoCloseable {
    /** The kinesis-local version the tests are written against (also in the pom and .ci/run). */
    public static final String DEFAULT_VERSION = "0.6.2";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern LISTENING = Pattern.compile("\\[twinstream-preload\\] listening \\{\"address\":\"([^\"]+)\",\"family\":\"[^\"]+\",\"port\":(\\d+)\\}");

    private final Process process;
    private final int port;
    private final Path log;
    private final List<String> boundAddresses;

    private KinesisMockServer(Process process, int port, Path log, List<String> boundAddresses) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.boundAddresses = boundAddresses;
    }

    /** Starts a fresh kinesis-mock and waits until both its ports are bound to 127.0.0.1. */
    public static KinesisMockServer start(String initializeStreams) {
        Path dir = packageDir();
        String node = requireCommand("node", "Node.js 18 or newer is needed for the kinesis-mock contract tests. Install it"
                + " (for example `apt-get install -y nodejs npm`), then `npm i --prefix " + cacheDir().resolve("kinesis-local")
                + " kinesis-local@" + version() + "` (what .ci/run does).");
        if (!Files.isRegularFile(dir.resolve("main.js"))) {
            install(dir);
        }
        try {
            int plain = freePort();
            int tls = freePort();
            Path log = Files.createTempFile("kinesis-mock-", ".log");
            ProcessBuilder pb = new ProcessBuilder(node, "-r", preload().toString(), "main.js")
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
            pb.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(tls));
            pb.environment().put("LOG_LEVEL", "WARN");
            pb.environment().put("CREATE_STREAM_DURATION", "50ms");
            pb.environment().put("AWS_REGION", "us-east-1");
            if (initializeStreams != null) {
                pb.environment().put("INITIALIZE_STREAMS", initializeStreams);
            }
            Process process = pb.start();
            List<String> bound = awaitBound(process, log, plain, tls);
            return new KinesisMockServer(process, plain, log, bound);
        } catch (IOException e) {
            throw new AssertionError("could not start kinesis-mock from " + dir + ": " + e, e);
        }
    }

    private static List<String> awaitBound(Process process, Path log, int plain, int tls) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            List<String> bound = new ArrayList<>();
            boolean plainBound = false;
            boolean tlsBound = false;
            Matcher m = LISTENING.matcher(text);
            while (m.find()) {
                bound.add(m.group(1) + ":" + m.group(2));
                plainBound |= Integer.parseInt(m.group(2)) == plain;
                tlsBound |= Integer.parseInt(m.group(2)) == tls;
            }
            if (plainBound && tlsBound) {
                return Collections.unmodifiableList(bound);
            }
            if (!process.isAlive()) {
                fail("kinesis-mock exited with %d before listening; its output:%n%s", process.exitValue(), text);
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS); // bounded wait for the log to grow
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new AssertionError("kinesis-mock did not listen on ports " + plain + "/" + tls + " within " + START_TIMEOUT
                + "; output: " + Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The plain HTTP endpoint. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The plain port. */
    public int port() {
        return port;
    }

    /** Every address:port the preload saw kinesis-mock bind. */
    public List<String> boundAddresses() {
        return boundAddresses;
    }

    /** Whether something accepts connections on {@code address} at the plain port. */
    public boolean reachableAt(InetAddress address) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Non-loopback addresses of this machine (to check kinesis-mock is NOT reachable there). */
    public static List<InetAddress> nonLoopbackAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!ni.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (!a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        out.add(a);
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** A real SDK client for this instance: HTTP/1.1, static fake credentials, us-east-1, SDK retries off. */
    public KinesisAsyncClient client() {
        return KinesisAsyncClient.builder()
                .endpointOverride(endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("fake", "fake")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1))
                .overrideConfiguration(KinesisSink.recommendedClientConfiguration())
                .build();
    }

    /** What kinesis-mock printed so far. */
    public String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }

    static String version() {
        return System.getProperty("twinstream.kinesisLocal.version", DEFAULT_VERSION);
    }

    static Path cacheDir() {
        String env = System.getenv("TWINSTREAM_CACHE");
        return env != null && !env.isEmpty() ? Paths.get(env) : Paths.get(System.getProperty("user.home"), ".cache", "twinstream");
    }

    static Path packageDir() {
        String explicit = System.getProperty("twinstream.kinesisLocal.dir", "");
        return !explicit.isEmpty() ? Paths.get(explicit)
                : cacheDir().resolve("kinesis-local").resolve("node_modules").resolve("kinesis-local");
    }

    private static void install(Path dir) {
        String npm = requireCommand("npm", "kinesis-mock is not installed at " + dir + " and npm is not on the PATH. Install"
                + " Node.js and npm, then run `npm i --prefix " + cacheDir().resolve("kinesis-local") + " kinesis-local@" + version()
                + "` (what .ci/run does).");
        Path prefix = cacheDir().resolve("kinesis-local");
        try {
            Files.createDirectories(prefix);
            Process p = new ProcessBuilder(npm, "i", "--no-audit", "--no-fund", "--prefix", prefix.toString(),
                    "kinesis-local@" + version()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                fail("`npm i --prefix %s kinesis-local@%s` failed or timed out; run it by hand", prefix, version());
            }
        } catch (IOException e) {
            throw new AssertionError("could not run npm: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (!Files.isRegularFile(dir.resolve("main.js"))) {
            fail("npm installed kinesis-local but %s has no main.js", dir);
        }
    }

    private static String requireCommand(String name, String howToInstall) {
        for (String p : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Paths.get(p, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(name + " not found on the PATH. " + howToInstall);
    }

    private static Path preload() {
        URL url = KinesisMockServer.class.getResource("/kinesis-mock/listen-on-loopback.js");
        if (url == null) {
            throw new AssertionError("test resource kinesis-mock/listen-on-loopback.js is missing");
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
