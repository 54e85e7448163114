package io.clipstream.review;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.topology.Topics;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/** How the review topics are created: items with their own retention, decisions kept for good (the audit trail). */
public final class ReviewTopics {

    private ReviewTopics() {}

    /** The review topics to create; none for items when review items are disabled. */
    public static List<NewTopic> newTopics(ClipStreamConfig config, Topics topics, int partitions, short replication) {
        NewTopic decisions = new NewTopic(
                        topics.reviewDecisions().name(), Optional.of(partitions), Optional.of(replication))
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"));
        if (!config.getBoolean(ReviewKeys.REVIEW_ITEMS_ENABLED)) {
            return List.of(decisions);
        }
        NewTopic items = new NewTopic(topics.reviewItems().name(), Optional.of(partitions), Optional.of(replication))
                .configs(itemConfigs(config));
        return List.of(items, decisions);
    }

    /** The review-items topic's settings: its retention. */
    public static Map<String, String> itemConfigs(ClipStreamConfig config) {
        return Map.of(
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(config.getLong(ReviewKeys.REVIEW_ITEMS_RETENTION_MS)));
    }
}
