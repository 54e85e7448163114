package io.clipstream.config;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;

/**
 * What {@code clipstream run} needs beyond the defaults: a real schema registry and a real model. The defaults
 * ({@code mock://} in-memory registry, the built-in toy model) exist for the demo, the tests and the bench; a
 * processor started against a real cluster with them would refuse every real label set and dead-letter every event.
 */
public final class RunRequirements {

    private RunRequirements() {}

    /**
     * Fails with one message naming every missing or refused key and its environment variable.
     *
     * @throws ConfigException when {@code schema.registry.url} or {@code model.dir} was not given explicitly, or
     *                         the registry is {@code mock://}
     */
    public static void check(ClipStreamConfig config) {
        List<String> problems = new ArrayList<>();
        for (String key : List.of(ClipStreamConfig.SCHEMA_REGISTRY_URL, ClipStreamConfig.MODEL_DIR)) {
            Object given = config.originals().get(key);
            if (given == null || given.toString().isBlank()) {
                problems.add(key + " (" + ClipStreamConfig.envFor(key) + ") is not set");
            }
        }
        if (config.originals().get(ClipStreamConfig.SCHEMA_REGISTRY_URL) != null) {
            for (String url : config.getList(ClipStreamConfig.SCHEMA_REGISTRY_URL)) {
                if (url.strip().startsWith("mock://")) {
                    problems.add(ClipStreamConfig.SCHEMA_REGISTRY_URL + " ("
                            + ClipStreamConfig.envFor(ClipStreamConfig.SCHEMA_REGISTRY_URL) + ") is " + url.strip()
                            + ", an in-memory registry"
                            + " for the demo, tests and bench only");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException("run needs a real schema registry and model: " + String.join("; ", problems)
                    + ". Set them in --config FILE or the environment, e.g. "
                    + ClipStreamConfig.envFor(ClipStreamConfig.SCHEMA_REGISTRY_URL) + "=https://registry:8081 "
                    + ClipStreamConfig.envFor(ClipStreamConfig.MODEL_DIR) + "=/models/ViT-B-32__openai");
        }
    }
}
