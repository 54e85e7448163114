package io.clipstream.topology;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.image.FetchPolicy;
import io.clipstream.image.ImageFetcher;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * How a stream task buffers and what it accepts.
 *
 * @param maxSize flush when this many events are buffered
 * @param maxDelay flush when the oldest buffered event is this old (wall clock)
 * @param maxImageBytes largest encoded image accepted
 * @param referencesEnabled whether events may carry image references (URIs)
 * @param emitEmbeddings whether to emit ImageEmbedding records
 * @param fetcher fetches image references when they are enabled, else null
 * @param maxAttempts times processing of one event is started before it goes to dead letters
 * @param emitReviewItems whether to emit a ReviewItem for each flagged event
 */
public record BatchingSettings(
        int maxSize,
        Duration maxDelay,
        int maxImageBytes,
        boolean referencesEnabled,
        boolean emitEmbeddings,
        ImageFetcher fetcher,
        int maxAttempts,
        boolean emitReviewItems) {

    /** The settings in {@code config}. */
    public static BatchingSettings of(ClipStreamConfig config) {
        boolean references = config.getBoolean(ClipStreamConfig.IMAGE_REFERENCES_ENABLED);
        ImageFetcher fetcher = null;
        if (references) {
            List<String> hosts = config.getList(ClipStreamConfig.IMAGE_REFERENCES_ALLOWED_HOSTS).stream()
                    .filter(h -> !h.isBlank())
                    .toList();
            if (hosts.isEmpty()) {
                throw new ConfigException(
                        ClipStreamConfig.IMAGE_REFERENCES_ALLOWED_HOSTS,
                        "",
                        "image references are enabled but no host is allowed");
            }
            try {
                fetcher = new ImageFetcher(FetchPolicy.of(
                        Set.copyOf(hosts),
                        config.getInt(ClipStreamConfig.IMAGE_MAX_BYTES),
                        Duration.ofMillis(config.getLong(ClipStreamConfig.IMAGE_REFERENCES_CONNECT_TIMEOUT_MS)),
                        Duration.ofMillis(config.getLong(ClipStreamConfig.IMAGE_REFERENCES_TIMEOUT_MS)),
                        config.getInt(ClipStreamConfig.IMAGE_REFERENCES_MAX_REDIRECTS)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(ClipStreamConfig.IMAGE_REFERENCES_ALLOWED_HOSTS, hosts, e.getMessage());
            }
        }
        return new BatchingSettings(
                config.getInt(ClipStreamConfig.BATCH_MAX_SIZE),
                Duration.ofMillis(config.getLong(ClipStreamConfig.BATCH_MAX_DELAY_MS)),
                config.getInt(ClipStreamConfig.IMAGE_MAX_BYTES),
                references,
                config.getBoolean(ClipStreamConfig.OUTPUT_EMBEDDINGS_ENABLED),
                fetcher,
                config.getInt(ClipStreamConfig.PROCESSING_MAX_ATTEMPTS),
                config.getBoolean(io.clipstream.review.ReviewKeys.REVIEW_ITEMS_ENABLED));
    }
}
