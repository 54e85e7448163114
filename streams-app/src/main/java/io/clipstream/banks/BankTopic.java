package io.clipstream.banks;

import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The compacted banks topic from the command line's side: publishes settings, items and tombstones (creating the
 * topic when missing), and reads the whole topic back as the latest record per key, which is what a processor's
 * global store holds.
 */
public final class BankTopic implements AutoCloseable {

    /** The default banks topic name. */
    public static final String DEFAULT_TOPIC = "banks";

    private final String topic;
    private final Map<String, Object> clientConfig;
    private final SchemaRegistryClient registry;
    private KafkaProducer<String, BankEntry> producer;

    /**
     * @param clientConfig Kafka client settings, bootstrap servers and security included
     */
    public BankTopic(Map<String, Object> clientConfig, SchemaRegistryClient registry, String topic) {
        this.clientConfig = new HashMap<>(clientConfig);
        this.registry = registry;
        this.topic = topic;
    }

    /** The latest record of every key (tombstoned keys left out), in key order of first appearance. */
    public Map<String, BankEntry> readAll(Duration timeout) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Map<String, BankEntry> latest = new LinkedHashMap<>();
        try (KafkaConsumer<String, BankEntry> consumer = new KafkaConsumer<>(
                config,
                new StringDeserializer(),
                AvroSerdes.serde(BankEntry.class, BankEntry.getClassSchema(), registry, false, false)
                        .deserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, timeout)
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading bank topic " + topic + " took over " + timeout);
                }
                for (ConsumerRecord<String, BankEntry> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        latest.remove(r.key());
                    } else {
                        latest.put(r.key(), r.value());
                    }
                }
            }
        }
        return latest;
    }

    /** Creates the compacted topic if it does not exist. */
    public void ensureTopic() {
        Properties props = new Properties();
        props.putAll(clientConfig);
        try (Admin admin = Admin.create(props)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                    .all()
                    .get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create bank topic " + topic + ": "
                                + e.getCause().getMessage(),
                        e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + topic, e);
        }
    }

    /**
     * Publishes records (a null value is a tombstone) and waits for all of them; returns their offsets in order.
     */
    public List<Long> publish(List<Map.Entry<BankKey, BankEntry>> records) {
        if (producer == null) {
            ensureTopic();
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
            config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            producer = new KafkaProducer<>(
                    config,
                    new StringSerializer(),
                    AvroSerdes.serde(BankEntry.class, BankEntry.getClassSchema(), registry, true, false)
                            .serializer());
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (Map.Entry<BankKey, BankEntry> r : records) {
            sent.add(producer.send(new ProducerRecord<>(topic, r.getKey().key(), r.getValue())));
        }
        List<Long> offsets = new ArrayList<>(sent.size());
        try {
            for (Future<RecordMetadata> f : sent) {
                offsets.add(f.get().offset());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "publishing to bank topic " + topic + " failed: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing to " + topic, e);
        }
        return offsets;
    }

    /** The key of an entry: the settings key, or NAME/ITEM for an item. */
    public static BankKey keyOf(BankEntry entry) {
        return entry.getBody() instanceof BankItem item
                ? new BankKey.Item(entry.getBank(), item.getId())
                : new BankKey.Settings(entry.getBank());
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close();
            producer = null;
        }
    }
}
