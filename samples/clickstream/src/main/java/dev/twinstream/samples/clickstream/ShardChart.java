package dev.twinstream.samples.clickstream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Events per shard as a terminal bar chart, longest bar = busiest shard, plain ASCII. */
final class ShardChart {
    private static final int WIDTH = 40;

    private ShardChart() {}

    /**
     * Renders one line per shard: its id, a bar, the count and its share of all events.
     *
     * @param eventsPerShard events by shard id, in the order to print
     * @return the lines, without line breaks
     */
    static List<String> render(Map<String, Long> eventsPerShard) {
        long max = Math.max(1, Collections.max(eventsPerShard.values()));
        long total = Math.max(1, eventsPerShard.values().stream().mapToLong(Long::longValue).sum());
        int idWidth = eventsPerShard.keySet().stream().mapToInt(String::length).max().orElse(0);
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, Long> e : eventsPerShard.entrySet()) {
            int bar = (int) Math.round((double) WIDTH * e.getValue() / max);
            lines.add(Report.format("  %-" + idWidth + "s |%s%s| %,9d  %5.1f%%", e.getKey(), "#".repeat(bar),
                    " ".repeat(WIDTH - bar), e.getValue(), 100.0 * e.getValue() / total));
        }
        return lines;
    }
}
