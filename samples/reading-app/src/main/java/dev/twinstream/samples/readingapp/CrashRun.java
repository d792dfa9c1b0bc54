package dev.twinstream.samples.readingapp;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The crash phase's two child processes: a {@link Producer} killed with SIGKILL once it has
 * acknowledged enough durable events, then a second one on the same journal that delivers what the
 * first left behind.
 */
record CrashRun(Set<String> acknowledged, int killedExitCode, boolean resumed, String resumeSummary) {
    private static final long PROCESS_WAIT_SECONDS = 120;

    static CrashRun run(URI endpoint, Path journal, Pipeline.Streams streams, long seed, int acksBeforeKill,
            PrintStream out) throws IOException, InterruptedException {
        String names = String.join(",", streams.all());
        Set<String> acked = ConcurrentHashMap.newKeySet();
        Process producer = start(endpoint, journal, names, "produce", "8", Long.toString(seed));
        try (BufferedReader lines = reader(producer)) {
            for (String line; acked.size() < acksBeforeKill && (line = lines.readLine()) != null; ) {
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                }
            }
            // Mid-run, with producers still tracking: SIGKILL, no shutdown hook, no flush. Through the
            // process handle: Process.destroyForcibly would also close our end of its output, and the
            // ACK lines it wrote before dying would be lost to the check.
            producer.toHandle().destroyForcibly();
            // ACK lines already written before the kill are acknowledged events too.
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("ACK ")) {
                    acked.add(line.substring(4));
                }
            }
        }
        if (!producer.waitFor(PROCESS_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the killed producer did not exit");
        }
        out.printf("  [kill -9] producer killed after %,d acknowledged events%n", acked.size());

        Process resume = start(endpoint, journal, names, "resume", "0", "0");
        String summary = "no output";
        try (BufferedReader lines = reader(resume)) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.startsWith("DRAINED") || line.startsWith("NOT-DRAINED")) {
                    summary = line;
                }
            }
        }
        boolean exited = resume.waitFor(PROCESS_WAIT_SECONDS, TimeUnit.SECONDS);
        boolean drained = exited && resume.exitValue() == 0 && summary.startsWith("DRAINED");
        return new CrashRun(acked, producer.exitValue(), drained,
                "recovered the journal, delivered/accepted per sink: " + summary.substring(summary.indexOf(' ') + 1)
                        + (exited ? ", exit status " + resume.exitValue() : ", did not exit"));
    }

    private static Process start(URI endpoint, Path journal, String streams, String mode, String threads, String seed)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classPath(), Producer.class.getName(), endpoint.toString(), journal.toString(), streams, mode,
                threads, seed));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    /**
     * This sample's class path: the JVM's, or, under {@code mvn exec:java} (which runs the sample in
     * Maven's JVM with a class loader of its own), that class loader's.
     */
    private static String classPath() {
        ClassLoader loader = CrashRun.class.getClassLoader();
        if (loader instanceof URLClassLoader urls && urls.getURLs().length > 0) {
            List<String> entries = new ArrayList<>();
            for (URL url : urls.getURLs()) {
                try {
                    entries.add(Path.of(url.toURI()).toString());
                } catch (java.net.URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            return String.join(File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }
}
