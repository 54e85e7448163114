package io.clipstream.rescore;

import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.LabelSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads the compacted label-set topic to its end, as the processor's global store holds it: the latest record per
 * key (a live set under its name, a shadow version under {@code NAME#shadow}), tombstones removing keys.
 */
public final class LabelSetTopicReader {

    private LabelSetTopicReader() {}

    /**
     * Every key's current set.
     *
     * @param clientConfig Kafka client settings with bootstrap.servers
     */
    public static Map<String, LabelSet> read(
            Map<String, Object> clientConfig, SchemaRegistryClient registry, String topic) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024 * 1024);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        Deserializer<LabelSet> values = AvroSerdes.serde(
                        LabelSet.class, LabelSet.getClassSchema(), registry, false, false)
                .deserializer();
        Map<String, LabelSet> sets = new HashMap<>();
        try (KafkaConsumer<String, LabelSet> consumer = new KafkaConsumer<>(config, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            if (partitions.isEmpty()) {
                return sets;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading label-set topic " + topic);
                }
                for (ConsumerRecord<String, LabelSet> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() == null) {
                        continue;
                    }
                    if (record.value() == null) {
                        sets.remove(record.key());
                    } else {
                        sets.put(record.key(), record.value());
                    }
                }
            }
        }
        return sets;
    }

    /** The set published under {@code key}, if any. */
    public static Optional<LabelSet> get(
            Map<String, Object> clientConfig, SchemaRegistryClient registry, String topic, String key) {
        return Optional.ofNullable(read(clientConfig, registry, topic).get(key));
    }
}
