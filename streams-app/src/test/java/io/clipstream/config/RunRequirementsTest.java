package io.clipstream.config;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** `run` never falls back to the demo's in-memory registry and toy model. */
class RunRequirementsTest {

    @Test
    void withoutARegistryAndAModelRunRefusesWithOneMessageNamingBothKeysAndVariables() {
        assertThatThrownBy(() -> RunRequirements.check(ClipStreamConfig.from(Map.of(), Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("run needs a real schema registry and model: schema.registry.url"
                        + " (CLIPSTREAM_SCHEMA_REGISTRY_URL) is not set; model.dir (CLIPSTREAM_MODEL_DIR) is not set."
                        + " Set them in --config FILE or the environment, e.g."
                        + " CLIPSTREAM_SCHEMA_REGISTRY_URL=https://registry:8081"
                        + " CLIPSTREAM_MODEL_DIR=/models/ViT-B-32__openai");
    }

    @Test
    void theInMemoryRegistryIsRefusedEvenWhenGivenExplicitly() {
        assertThatThrownBy(() -> RunRequirements.check(ClipStreamConfig.from(
                        Map.of("model.dir", "/m"), Map.of("CLIPSTREAM_SCHEMA_REGISTRY_URL", "mock://x"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("run needs a real schema registry and model: schema.registry.url"
                        + " (CLIPSTREAM_SCHEMA_REGISTRY_URL) is mock://x, an in-memory registry for the demo, tests"
                        + " and bench only.");
    }

    @Test
    void explicitSettingsFromTheFileOrTheEnvironmentPass() {
        assertThatCode(() -> RunRequirements.check(ClipStreamConfig.from(
                        Map.of("model.dir", "/models/b32"),
                        Map.of("CLIPSTREAM_SCHEMA_REGISTRY_URL", "https://registry:8081"))))
                .doesNotThrowAnyException();
    }
}
