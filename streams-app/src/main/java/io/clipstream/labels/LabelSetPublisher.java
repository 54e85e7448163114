package io.clipstream.labels;

import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.LabelSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes compiled label sets to the compacted label-set topic, keyed by name, creating the topic when missing.
 * Large sets are fine: 1,000 labels at 768 dimensions is about 3 MB, over Kafka's 1 MB default, so the topic and
 * the producer allow {@link #MAX_MESSAGE_BYTES}.
 */
public final class LabelSetPublisher implements AutoCloseable {

    /** The default label-set topic name. */
    public static final String DEFAULT_TOPIC = "label-sets";
    /** Largest label-set record accepted: 64 MiB, room for ~20,000 labels at 768 dimensions. */
    public static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private final String topic;
    private final Map<String, Object> clientConfig;
    private final KafkaProducer<String, LabelSet> producer;

    /**
     * @param extraConfig Kafka client settings such as SASL and SSL, applied to the admin client and producer
     */
    public LabelSetPublisher(
            String bootstrapServers, Map<String, String> extraConfig, SchemaRegistryClient registry, String topic) {
        this.topic = topic;
        this.clientConfig = new HashMap<>(extraConfig);
        clientConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Map<String, Object> producerConfig = new HashMap<>(clientConfig);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
        producerConfig.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        this.producer = new KafkaProducer<>(
                producerConfig,
                new StringSerializer(),
                AvroSerdes.serde(LabelSet.class, LabelSet.getClassSchema(), registry, true, false)
                        .serializer());
    }

    /** Creates the compacted topic if it does not exist. */
    public void ensureTopic() {
        Properties props = new Properties();
        props.putAll(clientConfig);
        try (Admin admin = Admin.create(props)) {
            NewTopic newTopic = new NewTopic(topic, 1, (short) -1)
                    .configs(Map.of(
                            TopicConfig.CLEANUP_POLICY_CONFIG,
                            TopicConfig.CLEANUP_POLICY_COMPACT,
                            TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                            Integer.toString(MAX_MESSAGE_BYTES)));
            admin.createTopics(List.of(newTopic)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "cannot create label-set topic " + topic + ": "
                                + e.getCause().getMessage(),
                        e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating topic " + topic, e);
        }
    }

    /** Publishes {@code set} (creating the topic first if needed) and returns its offset. */
    public long publish(LabelSet set) {
        ensureTopic();
        try {
            return producer.send(new ProducerRecord<>(topic, ActiveLabelSets.topicKey(set), set))
                    .get()
                    .offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "publishing label set " + set.getName() + " to " + topic + " failed: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted publishing label set " + set.getName(), e);
        }
    }

    /** Publishes a tombstone for {@code key} (e.g. a shadow version's key after promotion); returns its offset. */
    public long delete(String key) {
        ensureTopic();
        try {
            return producer.send(new ProducerRecord<>(topic, key, null)).get().offset();
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "deleting " + key + " from " + topic + " failed: "
                            + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted deleting " + key, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
