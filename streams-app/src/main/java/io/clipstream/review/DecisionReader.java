package io.clipstream.review;

import io.clipstream.schema.ReviewDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads the review-decisions topic (committed records only) and folds it into each flag's standing decision. */
public final class DecisionReader {

    private DecisionReader() {}

    /** Each flag's last accepted decision, in the order decisions arrived ({@link DecisionLedger}). */
    public static List<ReviewDecision> standing(Iterable<ReviewDecision> decisions) {
        Map<String, ReviewDecision> last = new LinkedHashMap<>();
        for (ReviewDecision d : decisions) {
            String key = DecisionLedger.key(d.getEventId(), d.getPolicyId());
            if (DecisionLedger.accepts(last.get(key), d)) {
                last.put(key, d);
            }
        }
        return new ArrayList<>(last.values());
    }

    /**
     * Every decision on {@code topic}, from the beginning to the end offsets at the time of the call, read with
     * isolation.level=read_committed.
     */
    public static List<ReviewDecision> readAll(
            Map<String, Object> clientConfig, String topic, Deserializer<ReviewDecision> values, Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientConfig);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ReviewDecision> out = new ArrayList<>();
        try (KafkaConsumer<String, ReviewDecision> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic + " to its end");
                }
                for (ConsumerRecord<String, ReviewDecision> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        out.add(r.value());
                    }
                }
            }
        }
        return out;
    }
}
