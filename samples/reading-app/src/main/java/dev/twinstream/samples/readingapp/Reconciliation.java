package dev.twinstream.samples.readingapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Seed 000's daily check, on what the two destinations actually hold: per category and hour of
 * {@code occurredAt}, the distinct events in the real-time stream's objects (the Redshift rows)
 * and in the backup streams' objects (the S3 envelopes), read back from the S3-like directory, and
 * the ids missing on either side.
 */
final class Reconciliation {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One category and hour. */
    record Bucket(String category, Instant hour) implements Comparable<Bucket> {
        @Override
        public int compareTo(Bucket o) {
            int c = hour.compareTo(o.hour);
            return c != 0 ? c : category.compareTo(o.category);
        }
    }

    /** The ids each side holds per bucket. */
    private final Map<Bucket, Set<String>> realtime = new TreeMap<>();
    private final Map<Bucket, Set<String>> backup = new TreeMap<>();
    private long realtimeRows;
    private long backupLines;

    /** Reads every object the three delivery streams wrote under {@code s3Directory}. */
    static Reconciliation of(Path s3Directory, Pipeline.Streams streams) {
        Reconciliation r = new Reconciliation();
        for (String line : lines(s3Directory, streams.realtime())) {
            JsonNode row = read(line);
            r.realtimeRows++;
            r.realtime.computeIfAbsent(bucket(row.get("category").asText(), row.get("occurred_at").asText()),
                    b -> new HashSet<>()).add(row.get("event_id").asText());
        }
        for (String stream : List.of(streams.backupBooks(), streams.backupOther())) {
            for (String line : lines(s3Directory, stream)) {
                JsonNode envelope = read(line);
                r.backupLines++;
                r.backup.computeIfAbsent(bucket(envelope.get("data").get("category").asText(),
                        envelope.get("occurredAt").asText()), b -> new HashSet<>()).add(envelope.get("eventId").asText());
            }
        }
        return r;
    }

    private static Bucket bucket(String category, String occurredAt) {
        return new Bucket(category, Instant.parse(occurredAt).truncatedTo(ChronoUnit.HOURS));
    }

    private static List<String> lines(Path s3Directory, String stream) {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(s3Directory)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(stream + "-1-")).sorted()
                    .collect(Collectors.toList())) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        lines.add(line);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON line: " + line, e);
        }
    }

    /** {@return ids in the backup and not in real time, over all buckets} */
    Set<String> missingInRealtime() {
        return missing(backup, realtime);
    }

    /** {@return ids in real time and not in the backup, over all buckets} */
    Set<String> missingInBackup() {
        return missing(realtime, backup);
    }

    private static Set<String> missing(Map<Bucket, Set<String>> from, Map<Bucket, Set<String>> in) {
        Set<String> out = new HashSet<>();
        from.forEach((b, ids) -> ids.stream().filter(id -> !in.getOrDefault(b, Set.of()).contains(id)).forEach(out::add));
        return out;
    }

    /** {@return every distinct id either side holds} */
    Set<String> allIds() {
        Set<String> all = new HashSet<>();
        realtime.values().forEach(all::addAll);
        backup.values().forEach(all::addAll);
        return all;
    }

    /** {@return how many stored rows/lines are second copies of an id (resends, replays after the crash)} */
    long duplicates() {
        long distinctRealtime = realtime.values().stream().mapToLong(Set::size).sum();
        long distinctBackup = backup.values().stream().mapToLong(Set::size).sum();
        return (realtimeRows - distinctRealtime) + (backupLines - distinctBackup);
    }

    boolean isClean() {
        return missingInRealtime().isEmpty() && missingInBackup().isEmpty();
    }

    /** The table: category, hour, distinct events per side, missing per side. */
    String table() {
        Set<Bucket> buckets = new java.util.TreeSet<>(realtime.keySet());
        buckets.addAll(backup.keySet());
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-14s %-17s %10s %10s %20s %20s%n",
                "category", "hour (UTC)", "real-time", "backup", "missing in real-time", "missing in backup"));
        for (Bucket b : buckets) {
            Set<String> rt = realtime.getOrDefault(b, Set.of());
            Set<String> bk = backup.getOrDefault(b, Set.of());
            sb.append(String.format(Locale.ROOT, "  %-14s %-17s %,10d %,10d %,20d %,20d%n", b.category(),
                    b.hour().toString().substring(0, 13) + ":00", rt.size(), bk.size(),
                    bk.stream().filter(id -> !rt.contains(id)).count(), rt.stream().filter(id -> !bk.contains(id)).count()));
        }
        return sb.toString();
    }
}
