package io.clipstream.embedded;

import io.clipstream.config.ClipStreamConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of a processor run on this machine against an embedded broker (demo, bench, integration tests): HTTP
 * endpoints on a free port of the loopback interface only, plus what each run names. {@code run} never uses this.
 */
public final class EmbeddedRunSettings {

    private final Map<String, String> settings = new LinkedHashMap<>();

    private EmbeddedRunSettings(String applicationId, String bootstrapServers) {
        settings.put(ClipStreamConfig.APPLICATION_ID, applicationId);
        settings.put(ClipStreamConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        settings.put(ClipStreamConfig.HTTP_PORT, "0");
        settings.put(ClipStreamConfig.HTTP_HOST, "127.0.0.1");
    }

    /** A run of {@code applicationId} on the broker at {@code bootstrapServers}. */
    public static EmbeddedRunSettings of(String applicationId, String bootstrapServers) {
        return new EmbeddedRunSettings(applicationId, bootstrapServers);
    }

    /** The schema registry at {@code url} ({@code mock://scope} for the in-memory one). */
    public EmbeddedRunSettings registry(String url) {
        return set(ClipStreamConfig.SCHEMA_REGISTRY_URL, url);
    }

    /** The model folder. */
    public EmbeddedRunSettings model(Path dir) {
        return set(ClipStreamConfig.MODEL_DIR, dir.toString());
    }

    /** Where Kafka Streams keeps its state. */
    public EmbeddedRunSettings stateDir(Path dir) {
        return set(ClipStreamConfig.STATE_DIR, dir.toString());
    }

    /** Partitions of the topics the processor creates. */
    public EmbeddedRunSettings partitions(int partitions) {
        return set(ClipStreamConfig.TOPIC_PARTITIONS, Integer.toString(partitions));
    }

    /** Events per stream-task batch, and the longest an event waits for its batch. */
    public EmbeddedRunSettings batch(int maxSize, long maxDelayMs) {
        return set(ClipStreamConfig.BATCH_MAX_SIZE, Integer.toString(maxSize))
                .set(ClipStreamConfig.BATCH_MAX_DELAY_MS, Long.toString(maxDelayMs));
    }

    /** Any other setting. */
    public EmbeddedRunSettings set(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** Every setting given so far and the others. */
    public EmbeddedRunSettings setAll(Map<String, String> more) {
        settings.putAll(more);
        return this;
    }

    /** The settings as a map (a copy). */
    public Map<String, String> toMap() {
        return new LinkedHashMap<>(settings);
    }

    /** The validated configuration. */
    public ClipStreamConfig config() {
        return ClipStreamConfig.of(settings);
    }
}
