package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clipstream.clip.TestModels;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.LabelSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsPublishCommandIT {

    @TempDir
    Path dir;

    @Test
    void publishesYamlCompiledForTheModelKeyedByName() throws Exception {
        Path model = TestModels.copyWithTokenizer("tiny-vit-openclip", dir);
        Path yaml = Files.writeString(dir.resolve("set.yaml"), """
                name: published
                version: 9
                model: tiny-vit
                templates: ["a photo of a {}."]
                groups: [{name: g, scoring: softmax}]
                labels: [{id: g.cat, group: g}, {id: g.dog, group: g}]
                """);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            CliRun r = CliRun.of(
                    "labels",
                    "publish",
                    "--bootstrap-servers",
                    broker.bootstrapServers(),
                    "--schema-registry",
                    "mock://publish-cli",
                    "--topic",
                    "sets",
                    "--model",
                    model.toString(),
                    yaml.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            JsonNode line = r.lines().get(0);
            assertThat(line.path("topic").asText()).isEqualTo("sets");
            assertThat(line.path("key").asText()).isEqualTo("published");
            assertThat(line.path("version").asText()).isEqualTo("9");
            assertThat(line.path("offset").asLong()).isZero();

            try (KafkaConsumer<String, LabelSet> consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            ConsumerConfig.GROUP_ID_CONFIG,
                            "verify",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                            "earliest"),
                    new StringDeserializer(),
                    AvroSerdes.serde(
                                    LabelSet.class,
                                    LabelSet.getClassSchema(),
                                    InMemorySchemaRegistry.scope("publish-cli"),
                                    false,
                                    false)
                            .deserializer())) {
                consumer.subscribe(List.of("sets"));
                LabelSet read = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (read == null && System.currentTimeMillis() < deadline) {
                    for (var record : consumer.poll(Duration.ofMillis(300))) {
                        read = record.value();
                    }
                }
                assertThat(read).isNotNull();
                assertThat(read.getLabels()).hasSize(2);
                assertThat(read.getModelFingerprint())
                        .isEqualTo(line.path("modelFingerprint").asText());
            }
        } finally {
            InMemorySchemaRegistry.drop("publish-cli");
        }
    }

    @Test
    void yamlWithoutAModelIsRefused() throws Exception {
        Path yaml = Files.writeString(dir.resolve("set.yaml"), "name: x\n");
        CliRun r = CliRun.of(
                "labels",
                "publish",
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--schema-registry",
                "mock://x",
                yaml.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("clipstream: " + yaml + " is YAML: give --model DIR to compile it first, or"
                        + " publish a file from clipstream labels compile\n");
    }
}
