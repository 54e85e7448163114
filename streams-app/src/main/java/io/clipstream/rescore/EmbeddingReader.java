package io.clipstream.rescore;

import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.ImageEmbedding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a range of the image-embeddings topic (read_committed) and hands it on in chunks, so that one chunk is
 * scored with one matrix product per label set. Records that cannot be read are counted, never dropped silently.
 */
public final class EmbeddingReader {

    private EmbeddingReader() {}

    /** Consumer settings for reading embeddings: read_committed, no auto-commit, large fetches. */
    public static Map<String, Object> consumerConfig(Map<String, Object> clientConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4096);
        config.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
        return config;
    }

    /**
     * A consumer of embeddings that decodes each value straight into a {@code float[]} ({@link EmbeddingDecoder};
     * the record's partition, offset and timestamp are added by {@link #stored(ConsumerRecord)}).
     */
    public static KafkaConsumer<String, StoredEmbedding> consumer(
            Map<String, Object> config, SchemaRegistryClient registry) {
        return new KafkaConsumer<>(config, new StringDeserializer(), new EmbeddingDecoder(registry));
    }

    /** The record's value at the record's position. */
    public static StoredEmbedding stored(ConsumerRecord<String, StoredEmbedding> record) {
        return record.value().at(record.partition(), record.offset(), record.timestamp());
    }

    /** What re-scoring needs of a record Avro decoded (position left 0). */
    static StoredEmbedding stored(ImageEmbedding e) {
        List<Float> values = e.getEmbedding();
        float[] vector = new float[values.size()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = values.get(i);
        }
        Map<String, String> attributes = new HashMap<>();
        if (e.getAttributes() != null) {
            e.getAttributes().forEach((k, v) -> attributes.put(k.toString(), v == null ? null : v.toString()));
        }
        return new StoredEmbedding(e.getEventId(), e.getSource(), attributes, vector, 0, 0, 0, e.getModelId());
    }

    /**
     * Reads the whole range, handing each poll's records (at most {@code max.poll.records}) to {@code chunk}; a
     * record past the range's end is not read.
     *
     * @return the number of records read
     */
    public static long read(
            KafkaConsumer<String, StoredEmbedding> consumer,
            EmbeddingRange range,
            Consumer<List<StoredEmbedding>> chunk) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Map.Entry<Integer, Long> e : range.from().entrySet()) {
            if (e.getValue() < range.until().get(e.getKey())) {
                partitions.add(new TopicPartition(range.topic(), e.getKey()));
            }
        }
        consumer.assign(partitions);
        for (TopicPartition p : partitions) {
            consumer.seek(p, range.from().get(p.partition()));
        }
        long read = 0;
        while (partitions.stream()
                .anyMatch(p -> consumer.position(p) < range.until().get(p.partition()))) {
            ConsumerRecords<String, StoredEmbedding> records = consumer.poll(Duration.ofMillis(500));
            List<StoredEmbedding> batch = new ArrayList<>(records.count());
            for (ConsumerRecord<String, StoredEmbedding> record : records) {
                if (record.offset() < range.until().get(record.partition()) && record.value() != null) {
                    batch.add(stored(record));
                }
            }
            if (!batch.isEmpty()) {
                chunk.accept(batch);
                read += batch.size();
            }
        }
        return read;
    }
}
