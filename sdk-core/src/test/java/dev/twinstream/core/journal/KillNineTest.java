package dev.twinstream.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 at seeded random moments: a child JVM ({@link KillNineChild}) tracks durably into a disk
 * journal; the parent kills it with SIGKILL after a seeded random number of durable
 * acknowledgements, restarts it on the same journal, and finally lets it drain. No event the child
 * reported durable may be lost by either sink. Duplicates must stay within the in-flight window: a
 * sink receives an event again only if no run since it last received it lived long enough to
 * checkpoint ({@value #CHECKPOINTED_AFTER_MILLIS} ms, ten checkpoint intervals). Duplicates carry the
 * same eventId by construction: the ids compared are the ones the sinks received. The seed is printed on failure and the journal copied to
 * {@code target/kill-nine-journal}.
 */
class KillNineTest {
    private static final int CYCLES = 50;
    private static final long CHECKPOINTED_AFTER_MILLIS = 1000;
    private static final long SEED = Long.getLong("twinstream.kill.seed", System.nanoTime());

    @TempDir
    Path dir;

    @Test
    void noDurableEventIsLostAcrossFiftyKills() throws Exception {
        Path journal = dir.resolve("journal");
        Random random = new Random(SEED);
        Set<String> durable = new HashSet<>();
        Map<String, Map<String, Integer>> lastCycle = new HashMap<>(); // sink -> id -> cycle last received
        long[] livedMillis = new long[CYCLES + 1];
        long duplicates = 0;
        List<String> problems = new ArrayList<>();
        try {
            for (int cycle = 0; cycle <= CYCLES; cycle++) {
                boolean drain = cycle == CYCLES;
                int killAfter = 1 + random.nextInt(400);
                Process child = start(journal, drain);
                int acks = 0;
                long ready = System.nanoTime();
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("D ")) {
                            durable.add(line.substring(2));
                            if (!drain && ++acks == killAfter) {
                                livedMillis[cycle] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ready);
                                child.toHandle().destroyForcibly(); // SIGKILL; keep reading what it wrote before dying
                            }
                        } else if (line.startsWith("READY")) {
                            ready = System.nanoTime();
                        } else if (line.startsWith("S ")) {
                            String[] parts = line.split(" ");
                            Map<String, Integer> seen = lastCycle.computeIfAbsent(parts[1], k -> new HashMap<>());
                            Integer before = seen.put(parts[2], cycle);
                            if (before == null) {
                                continue;
                            }
                            duplicates++;
                            for (int c = before + 1; c < cycle; c++) {
                                if (livedMillis[c] > CHECKPOINTED_AFTER_MILLIS) {
                                    problems.add("sink " + parts[1] + " got " + parts[2] + " again in cycle " + cycle
                                            + " after it had it in cycle " + before + " and cycle " + c + " lived "
                                            + livedMillis[c] + " ms");
                                    break;
                                }
                            }
                            if (before == cycle) {
                                problems.add("sink " + parts[1] + " got " + parts[2] + " twice within cycle " + cycle);
                            }
                        }
                    }
                }
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child exited (seed %d, cycle %d)", SEED, cycle).isTrue();
                if (drain) {
                    assertThat(child.exitValue()).as("drain run exit code (seed %d): %s", SEED, stderr(child)).isZero();
                }
            }
            for (String sink : List.of("a", "b")) {
                Set<String> got = lastCycle.getOrDefault(sink, Map.of()).keySet();
                for (String id : durable) {
                    if (!got.contains(id)) {
                        problems.add("sink " + sink + " never got durable event " + id);
                    }
                }
            }
            assertThat(durable).as("durable acknowledgements (seed %d)", SEED).hasSizeGreaterThan(CYCLES);
            assertThat(problems).as("seed %d: %d durable events, %d duplicates over %d kills", SEED, durable.size(),
                    duplicates, CYCLES).isEmpty();
        } catch (AssertionError | Exception e) {
            copyForReplay(journal);
            throw new AssertionError("KillNineTest failed with seed " + SEED + " (rerun with -Dtwinstream.kill.seed="
                    + SEED + "); journal copied to target/kill-nine-journal", e);
        }
    }

    private static Process start(Path journal, boolean drain) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                KillNineChild.class.getName(), journal.toString(), drain ? "drain" : "run");
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        return pb.start();
    }

    private static String stderr(Process child) throws IOException {
        return new String(child.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static void copyForReplay(Path journal) {
        Path target = Paths.get("target", "kill-nine-journal");
        try {
            Files.createDirectories(target);
            if (Files.isDirectory(journal)) {
                try (Stream<Path> files = Files.list(journal)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("could not copy the journal for replay: " + e);
        }
    }
}
