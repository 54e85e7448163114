package io.clipstream.app;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How large a record the topics that carry images must accept: {@code image.max.bytes} plus room for the event's
 * envelope and key, and for the error headers (stack trace included) a dead letter adds. Topics ClipStream creates
 * get it as {@code max.message.bytes}, producers as {@code max.request.size}; an existing topic with a smaller limit
 * is reported at start-up with both numbers.
 */
public final class TopicLimits {

    private static final Logger LOG = LoggerFactory.getLogger(TopicLimits.class);

    /** Room beyond the image: Avro envelope, key, and dead-letter headers with a stack trace. */
    public static final int OVERHEAD_BYTES = 512 * 1024;

    private TopicLimits() {}

    /** The largest record a topic carrying images of up to {@code imageMaxBytes} must accept. */
    public static int recordBytes(int imageMaxBytes) {
        return (int) Math.min(Integer.MAX_VALUE, (long) imageMaxBytes + OVERHEAD_BYTES);
    }

    /**
     * Logs a warning for each of {@code topics} that exists with a {@code max.message.bytes} below {@code needed};
     * returns those warnings (for tests). Topics that do not exist, or whose configuration cannot be read, are
     * skipped.
     */
    public static List<String> warnWhereSmaller(Admin admin, Collection<String> topics, int needed, int imageMaxBytes) {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t))
                .toList();
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<ConfigResource, org.apache.kafka.common.KafkaFuture<Config>> e :
                admin.describeConfigs(resources).values().entrySet()) {
            Config config;
            try {
                config = e.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | java.util.concurrent.TimeoutException ex) {
                LOG.debug(
                        "Cannot read the configuration of topic {}: {}",
                        e.getKey().name(),
                        ex.getMessage());
                continue;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return warnings;
            }
            ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (entry == null || entry.value() == null) {
                continue;
            }
            long limit = Long.parseLong(entry.value());
            if (limit < needed) {
                String warning = "Topic " + e.getKey().name() + " accepts records of at most " + limit + " bytes"
                        + " (max.message.bytes), but image.max.bytes=" + imageMaxBytes + " needs " + needed
                        + " bytes: larger images will be refused by the broker; raise it with kafka-configs.sh"
                        + " --alter --entity-type topics --entity-name "
                        + e.getKey().name() + " --add-config"
                        + " max.message.bytes=" + needed;
                LOG.warn("{}", warning);
                warnings.add(warning);
            }
        }
        return warnings;
    }
}
