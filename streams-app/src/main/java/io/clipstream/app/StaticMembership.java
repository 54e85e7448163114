package io.clipstream.app;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka static membership for the stream threads' consumers: with a {@code group.instance.id} that stays the same
 * across restarts, a restarted instance takes its partitions back at once (no rebalance, no wait for the session
 * timeout of the member it replaces). Kafka Streams gives each stream thread its own id by appending the thread
 * index. Chosen over Kafka 4's new streams rebalance protocol (KIP-1071), which is not yet production-ready in the
 * Kafka Streams 4 releases and needs the broker to enable it; static membership works with every broker since 2.3.
 */
final class StaticMembership {

    private StaticMembership() {
    }

    /** The main consumer's settings for {@code instanceId}; empty (dynamic membership) when it is blank. */
    static Map<String, Object> consumerSettings(String instanceId) {
        if (instanceId == null || instanceId.isBlank()) {
            return Map.of();
        }
        return Map.of(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId.strip());
    }
}
