package io.clipstream.app;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka static membership for the stream threads' consumers: with a {@code group.instance.id} that stays the same
 * across restarts, a restarted instance takes its partitions back at once (no rebalance, no wait for the session
 * timeout of the member it replaces). Kafka Streams gives each stream thread its own id by appending the thread
 * index. The restart delay comes from the dead member keeping its partitions until its session times out, which
 * only an identity that survives the restart removes. Chosen over Kafka 4's streams rebalance protocol (KIP-1071):
 * that one needs 4.2+ brokers with the protocol enabled and supports static membership only from 4.4, while static
 * membership on the classic protocol (Kafka Streams' default) works with every broker since 2.3.
 *
 * <p>The instance id also makes the stream threads' transactional ids stable ({@link #clientSupplier}): Kafka
 * Streams names them after a process id that is random at each start when, as here, no store is persistent. A
 * killed instance can leave a transaction open, and read_committed consumers see nothing past it until the broker
 * times it out (transaction.timeout.ms plus the broker's clean-up interval, 10 to 20 s). With the same
 * transactional id, the restarted producer's first {@code initTransactions} aborts it at once.
 */
final class StaticMembership {

    private StaticMembership() {}

    /** The main consumer's settings for {@code instanceId}; empty (dynamic membership) when it is blank. */
    static Map<String, Object> consumerSettings(String instanceId) {
        if (instanceId == null || instanceId.isBlank()) {
            return Map.of();
        }
        return Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId.strip());
    }

    /**
     * Kafka's own clients, except that with an instance id each producer's transactional id
     * ({@code <application.id>-<random process id>-<thread index>}) becomes
     * {@code <application.id>-<instance id>-<thread index>}, stable across restarts.
     */
    static KafkaClientSupplier clientSupplier(String applicationId, String instanceId) {
        String id = instanceId == null ? "" : instanceId.strip();
        return new KafkaClientSupplier() {
            @Override
            public Admin getAdmin(Map<String, Object> config) {
                return Admin.create(config);
            }

            @Override
            public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
                return new KafkaProducer<>(
                        stableTransactionalId(config, applicationId, id),
                        new ByteArraySerializer(),
                        new ByteArraySerializer());
            }

            @Override
            public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
                return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }

            @Override
            public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
                return getConsumer(config);
            }

            @Override
            public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
                return getConsumer(config);
            }
        };
    }

    /** {@code config} with the process id in its transactional id replaced by {@code instanceId}. */
    static Map<String, Object> stableTransactionalId(
            Map<String, Object> config, String applicationId, String instanceId) {
        Object transactionalId = config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        if (instanceId.isEmpty()
                || transactionalId == null
                || !transactionalId.toString().startsWith(applicationId + "-")) {
            return config;
        }
        String tid = transactionalId.toString();
        String thread = tid.substring(tid.lastIndexOf('-') + 1);
        if (thread.isEmpty() || !thread.chars().allMatch(Character::isDigit)) {
            return config;
        }
        Map<String, Object> copy = new HashMap<>(config);
        copy.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, applicationId + "-" + instanceId + "-" + thread);
        return copy;
    }
}
