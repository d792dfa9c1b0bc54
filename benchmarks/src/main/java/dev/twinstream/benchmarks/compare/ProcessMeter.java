package dev.twinstream.benchmarks.compare;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a contender JVM costs, read inside it: CPU time of the JVM and all its descendant processes
 * (the KPL's native {@code kinesis_producer} does its work outside the JVM) from
 * {@code /proc/<pid>/stat}, their peak resident set from {@code /proc/<pid>/status} (VmHWM, which
 * {@link #resetPeakRss()} restarts from the current RSS), and the JVM's own heap allocation and GC time
 * from its MXBeans. Linux only.
 */
final class ProcessMeter {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    // utime and stime are fields 14 and 15 of /proc/<pid>/stat; counted from after the ")" that ends
    // the command name (which may contain spaces), they are the 12th and 13th.
    private static final int UTIME_AFTER_COMM = 11;
    private static final int STIME_AFTER_COMM = 12;
    private static final long CLOCK_TICKS_PER_SECOND = clockTicks();
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private ProcessMeter() {}

    /**
     * Counters at one instant.
     *
     * @param nanoTime {@link System#nanoTime()}
     * @param cpuTicksByPid utime+stime of the JVM (key: its pid) and each live descendant, in clock ticks
     * @param allocatedBytes heap bytes allocated by all JVM threads so far
     * @param gcMillis summed collection time of all collectors so far
     */
    record Sample(long nanoTime, Map<Long, Long> cpuTicksByPid, long allocatedBytes, long gcMillis) {}

    /** {@return the counters now} */
    static Sample sample() {
        Map<Long, Long> ticks = new HashMap<>();
        for (ProcessHandle p : tree()) {
            long t = cpuTicks(p.pid());
            if (t >= 0) {
                ticks.put(p.pid(), t);
            }
        }
        long gc = 0;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, bean.getCollectionTime());
        }
        return new Sample(System.nanoTime(), ticks, THREADS.getTotalThreadAllocatedBytes(), gc);
    }

    /**
     * CPU nanoseconds between two samples, of the processes {@code own} selects.
     *
     * @param start the earlier sample
     * @param end the later sample
     * @param jvmOnly true for the JVM alone, false for the JVM and its descendants
     * @return the CPU time; a process that started in between counts from zero, one that ended is lost
     */
    static long cpuNanos(Sample start, Sample end, boolean jvmOnly) {
        long self = ProcessHandle.current().pid();
        long ticks = 0;
        for (Map.Entry<Long, Long> e : end.cpuTicksByPid().entrySet()) {
            if (!jvmOnly || e.getKey() == self) {
                ticks += e.getValue() - start.cpuTicksByPid().getOrDefault(e.getKey(), 0L);
            }
        }
        return ticks * NANOS_PER_SECOND / CLOCK_TICKS_PER_SECOND;
    }

    /** Restarts the peak RSS of the JVM and its descendants from their current RSS (Linux 4.0+). */
    static void resetPeakRss() {
        for (ProcessHandle p : tree()) {
            try {
                Files.writeString(Paths.get("/proc", String.valueOf(p.pid()), "clear_refs"), "5");
            } catch (IOException e) {
                // Not allowed or not Linux: the peak then counts from the process's start, which is
                // still an upper bound.
            }
        }
    }

    /** {@return the summed VmHWM of the JVM and its descendants, KiB} */
    static long peakRssKib() {
        long kib = 0;
        for (ProcessHandle p : tree()) {
            kib += statusKib(p.pid(), "VmHWM:");
        }
        return kib;
    }

    /** {@return the commands of the JVM's descendant processes, for the record} */
    static String descendants() {
        StringJoiner j = new StringJoiner(",");
        ProcessHandle.current().descendants().forEach(p -> j.add(p.pid() + ":" + p.info().command().map(c -> Paths.get(c)
                .getFileName().toString()).orElse("?")));
        return j.toString();
    }

    /** {@return whether the JVM can count allocation per thread} */
    static boolean allocationCounted() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }

    private static Iterable<ProcessHandle> tree() {
        return Stream.concat(Stream.of(ProcessHandle.current()), ProcessHandle.current().descendants())
                .collect(Collectors.toList());
    }

    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", String.valueOf(pid), "stat"), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[UTIME_AFTER_COMM]) + Long.parseLong(f[STIME_AFTER_COMM]);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat (Linux only)", e);
        }
    }

    private static long statusKib(long pid, String field) {
        Path status = Paths.get("/proc", String.valueOf(pid), "status");
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
            return 0;
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + status + " (Linux only)", e);
        }
    }

    /** {@code getconf CLK_TCK}, or 100 (the value on every common Linux) if it cannot run. */
    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
