package io.clipstream.rescore;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/**
 * Which retained embeddings to re-score: per partition, from a first offset (inclusive) to an end offset
 * (exclusive). The start is given by time ({@code --since 24h}) or by offsets ({@code --from-offsets 0:120,1:97});
 * the end is where the topic ended when the range was resolved, so a run re-scores a fixed set of records.
 *
 * @param topic the embeddings topic
 * @param from first offset per partition
 * @param until end offset per partition (exclusive)
 */
public record EmbeddingRange(String topic, Map<Integer, Long> from, Map<Integer, Long> until) {

    public EmbeddingRange {
        from = Map.copyOf(from);
        until = Map.copyOf(until);
    }

    /** The number of records in the range. */
    public long size() {
        long total = 0;
        for (Map.Entry<Integer, Long> e : until.entrySet()) {
            total += Math.max(0, e.getValue() - from.getOrDefault(e.getKey(), e.getValue()));
        }
        return total;
    }

    /**
     * Parses {@code 24h}, {@code 90m}, {@code 7d}, {@code 30s} or an ISO-8601 duration ({@code PT6H}).
     *
     * @throws IllegalArgumentException naming the value when it is none of these
     */
    public static Duration parseSince(String since) {
        String value = since.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("p")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            long amount = Long.parseLong(value.substring(0, value.length() - 1));
            return switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "--since " + since + ": expected a duration such as 24h, 90m, 7d or" + " PT6H");
        }
    }

    /**
     * Parses {@code PARTITION:OFFSET[,PARTITION:OFFSET...]}.
     *
     * @throws IllegalArgumentException naming the part that is not one
     */
    public static Map<Integer, Long> parseOffsets(String offsets) {
        Map<Integer, Long> parsed = new TreeMap<>();
        for (String part : offsets.split(",")) {
            String[] pieces = part.trim().split(":");
            try {
                if (pieces.length != 2) {
                    throw new NumberFormatException();
                }
                parsed.put(Integer.parseInt(pieces[0]), Long.parseLong(pieces[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--from-offsets: '" + part + "' is not PARTITION:OFFSET");
            }
        }
        return parsed;
    }

    /** Records whose timestamp is at or after {@code now - since}, up to the current end. */
    public static EmbeddingRange since(Consumer<?, ?> consumer, String topic, Duration since, Instant now) {
        List<TopicPartition> partitions = partitions(consumer, topic);
        Map<TopicPartition, Long> times = new HashMap<>();
        long start = now.minus(since).toEpochMilli();
        partitions.forEach(p -> times.put(p, start));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<Integer, Long> from = new HashMap<>();
        Map<Integer, Long> until = new HashMap<>();
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = found.get(p);
            from.put(p.partition(), at == null ? end.get(p) : at.offset());
            until.put(p.partition(), end.get(p));
        }
        return new EmbeddingRange(topic, from, until);
    }

    /**
     * From the given offsets (partitions not named: from their end, i.e. nothing), up to the current end; offsets
     * below the log start (deleted by retention) begin at the log start.
     */
    public static EmbeddingRange fromOffsets(Consumer<?, ?> consumer, String topic, Map<Integer, Long> offsets) {
        List<TopicPartition> partitions = partitions(consumer, topic);
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<Integer, Long> from = new HashMap<>();
        Map<Integer, Long> until = new HashMap<>();
        for (TopicPartition p : partitions) {
            long first = offsets.containsKey(p.partition())
                    ? Math.max(begin.get(p), offsets.get(p.partition()))
                    : end.get(p);
            from.put(p.partition(), Math.min(first, end.get(p)));
            until.put(p.partition(), end.get(p));
        }
        for (int partition : offsets.keySet()) {
            if (!until.containsKey(partition)) {
                throw new IllegalArgumentException("--from-offsets: topic " + topic + " has no partition " + partition);
            }
        }
        return new EmbeddingRange(topic, from, until);
    }

    static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic) {
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("topic " + topic + " does not exist: impact and backfill read the"
                    + " embeddings the processor keeps there (output.embeddings.enabled=true)");
        }
        return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }
}
