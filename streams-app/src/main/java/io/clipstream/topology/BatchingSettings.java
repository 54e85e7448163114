package io.clipstream.topology;

import io.clipstream.config.ClipStreamConfig;
import java.time.Duration;

/**
 * How a stream task buffers and what it accepts.
 *
 * @param maxSize flush when this many events are buffered
 * @param maxDelay flush when the oldest buffered event is this old (wall clock)
 * @param maxImageBytes largest encoded image accepted
 * @param referencesEnabled whether events may carry image references (URIs)
 * @param emitEmbeddings whether to emit ImageEmbedding records
 */
public record BatchingSettings(int maxSize, Duration maxDelay, int maxImageBytes, boolean referencesEnabled,
        boolean emitEmbeddings) {

    /** The settings in {@code config}. */
    public static BatchingSettings of(ClipStreamConfig config) {
        return new BatchingSettings(config.getInt(ClipStreamConfig.BATCH_MAX_SIZE),
                Duration.ofMillis(config.getLong(ClipStreamConfig.BATCH_MAX_DELAY_MS)),
                config.getInt(ClipStreamConfig.IMAGE_MAX_BYTES),
                config.getBoolean(ClipStreamConfig.IMAGE_REFERENCES_ENABLED),
                config.getBoolean(ClipStreamConfig.OUTPUT_EMBEDDINGS_ENABLED));
    }
}
