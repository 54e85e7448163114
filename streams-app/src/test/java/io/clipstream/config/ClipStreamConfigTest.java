package io.clipstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clipstream.clip.ExecutionDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class ClipStreamConfigTest {

    @Test
    void everyKeyIsDocumentedWithASentence() {
        assertThat(ClipStreamConfig.keys()).hasSizeGreaterThan(30);
        for (ConfigDef.ConfigKey key : ClipStreamConfig.keys()) {
            assertThat(key.documentation).as(key.name).isNotBlank().endsWith(".");
            assertThat(key.documentation.length()).as(key.name).isGreaterThan(20);
        }
    }

    @Test
    void everyKeyCanBeOverriddenFromTheEnvironment() {
        for (ConfigDef.ConfigKey key : ClipStreamConfig.keys()) {
            String variable = ClipStreamConfig.envFor(key.name);
            assertThat(ClipStreamConfig.keyForEnv(variable)).isEqualTo(key.name);
        }
        ClipStreamConfig config = ClipStreamConfig.from(
                Map.of("batch.max.size", "8"),
                Map.of(
                        "CLIPSTREAM_BATCH_MAX_SIZE",
                        "24",
                        "CLIPSTREAM_INFERENCE_DEVICE",
                        "cuda:1",
                        "CLIPSTREAM_KAFKA_SASL_MECHANISM",
                        "SCRAM-SHA-512",
                        "CLIPSTREAM_DEBUG",
                        "1",
                        "PATH",
                        "/usr/bin"));
        assertThat(config.getInt(ClipStreamConfig.BATCH_MAX_SIZE)).isEqualTo(24);
        assertThat(config.inferenceOptions().device()).isEqualTo(ExecutionDevice.parse("cuda:1"));
        assertThat(config.kafkaSettings()).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    }

    @Test
    void defaultsAreExactlyOnceAndCpu() {
        ClipStreamConfig config = ClipStreamConfig.of(Map.of());
        assertThat(config.getString(ClipStreamConfig.PROCESSING_GUARANTEE)).isEqualTo("exactly_once_v2");
        assertThat(config.inferenceOptions().device()).isEqualTo(ExecutionDevice.CPU);
        assertThat(config.inferenceOptions().allowSpinning()).isFalse();
        assertThat(config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS)).isEqualTo("image-tags");
        assertThat(ClipStreamConfig.of(Map.of("topic.prefix", "prod.")).topic(ClipStreamConfig.TOPIC_DEAD_LETTERS))
                .isEqualTo("prod.dead-letters");
    }

    @Test
    void invalidValuesAndUnknownKeysAreRefusedWithTheKey() {
        assertThatThrownBy(() -> ClipStreamConfig.of(Map.of("batch.max.size", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 0 for configuration batch.max.size: Value must be at least 1");
        assertThatThrownBy(() -> ClipStreamConfig.of(Map.of("processing.guarantee", "exactly_once")))
                .hasMessageContaining("processing.guarantee");
        assertThatThrownBy(() -> ClipStreamConfig.of(Map.of("inference.device", "tpu")))
                .hasMessage("Invalid value tpu for configuration inference.device: device must be cpu, cuda or"
                        + " cuda:N, found 'tpu'");
        assertThatThrownBy(() -> ClipStreamConfig.of(Map.of("batch.max.sise", "3")))
                .hasMessage("unknown configuration key 'batch.max.sise'");
        assertThat(ClipStreamConfig.from(
                                Map.of(),
                                Map.of(
                                        "CLIPSTREAM_SERVICE_HOST",
                                        "10.0.0.1",
                                        "CLIPSTREAM_PORT_8080_TCP",
                                        "tcp://10.0.0.1:8080"))
                        .getInt(ClipStreamConfig.BATCH_MAX_SIZE))
                .as("variables Kubernetes injects for a Service named clipstream are ignored")
                .isEqualTo(16);
    }

    @Test
    void secretsNeverAppearInToString() {
        Map<String, String> props = new HashMap<>();
        props.put("schema.registry.basic.auth.user.info", "alice:s3cret-registry");
        props.put("kafka.sasl.jaas.config", "ScramLoginModule required username=\"a\" password=\"s3cret-kafka\";");
        props.put("kafka.ssl.truststore.password", "s3cret-store");
        props.put("kafka.security.protocol", "SASL_SSL");
        String shown = ClipStreamConfig.of(props).toString();
        assertThat(shown).doesNotContain("s3cret").contains("SASL_SSL").contains("[hidden]");
        assertThat(ClipStreamConfig.of(props).registrySettings().basicAuthUserInfo())
                .isEqualTo("alice:s3cret-registry");
    }

    @Test
    void theReadmeCarriesTheGeneratedTable() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        String begin = "<!-- config-table:begin -->\n";
        String end = "<!-- config-table:end -->";
        assertThat(text).contains(begin).contains(end);
        String table = text.substring(text.indexOf(begin) + begin.length(), text.indexOf(end));
        assertThat(table)
                .as("README configuration table is stale: run ./clipstream config --markdown")
                .isEqualTo(ClipStreamConfig.markdownTable());
    }
}
