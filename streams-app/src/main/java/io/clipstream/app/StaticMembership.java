package io.clipstream.app;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Kafka static membership for the stream threads' consumers: with a {@code group.instance.id} that stays the same
 * across restarts, a restarted instance takes its partitions back at once (no rebalance, no wait for the session
 * timeout of the member it replaces). Kafka Streams gives each stream thread its own id by appending the thread
 * index. The restart delay comes from the dead member keeping its partitions until its session times out, which
 * only an identity that survives the restart removes. Chosen over Kafka 4's streams rebalance protocol (KIP-1071):
 * that one needs 4.2+ brokers with the protocol enabled and supports static membership only from 4.4, while static
 * membership on the classic protocol (Kafka Streams' default) works with every broker since 2.3.
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
