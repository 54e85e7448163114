package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clipstream.clip.TestModels;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.registry.RegistryHttpServer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProduceAndTailCommandIT {

    @Test
    void producedImagesAreReadBackAsJsonLines() throws Exception {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope("produce-tail");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
                RegistryHttpServer server = new RegistryHttpServer(registry)) {
            broker.createTopic("events", 1, java.util.Map.of());
            CliRun produced = CliRun.of(
                    "produce",
                    "--bootstrap-servers",
                    broker.bootstrapServers(),
                    "--schema-registry",
                    server.url(),
                    "--topic",
                    "events",
                    TestModels.committed("reference-images").toString());
            assertThat(produced.exit()).as(produced.err()).isZero();
            List<JsonNode> sent = produced.lines();
            assertThat(sent)
                    .extracting(n -> n.path("eventId").asText())
                    .containsExactly("astronaut.jpg", "chelsea.png", "coffee-portrait.jpg", "coffee-small.png");
            assertThat(produced.err()).contains("produced 4/4");

            CliRun tailed = CliRun.of(
                    "tail",
                    "--bootstrap-servers",
                    broker.bootstrapServers(),
                    "--schema-registry",
                    server.url(),
                    "--topic",
                    "events",
                    "--from-beginning",
                    "--max",
                    "4");
            assertThat(tailed.exit()).as(tailed.err()).isZero();
            List<JsonNode> read = tailed.lines();
            assertThat(read).hasSize(4);
            assertThat(read.get(0).path("key").asText()).isEqualTo("astronaut.jpg");
            assertThat(read.get(0).path("value").path("eventId").asText()).isEqualTo("astronaut.jpg");
            assertThat(read.get(0).path("value").path("source").asText()).isEqualTo("clipstream-produce");
            assertThat(read.get(0).path("value").path("image").path("bytes").asText())
                    .isNotEmpty();
        } finally {
            InMemorySchemaRegistry.drop("produce-tail");
        }
    }
}
