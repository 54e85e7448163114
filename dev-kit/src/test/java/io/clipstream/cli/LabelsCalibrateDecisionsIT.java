package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.MatchedLabel;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code labels calibrate --decisions} on the embedded broker: decisions in, thresholds out (and written). */
class LabelsCalibrateDecisionsIT {

    @TempDir
    Path dir;

    private static ReviewDecision decision(String event, ReviewVerdict verdict, int revision, float score) {
        return ReviewDecision.newBuilder()
                .setEventId(event)
                .setPolicyId("hazard-symbol")
                .setDecision(verdict)
                .setReviewer("mia")
                .setDecidedAt(Instant.parse("2026-12-01T12:00:00Z"))
                .setLabelSetName("tiny-shapes")
                .setLabelSetVersion("1")
                .setRevision(revision)
                .setMatched(List.of(new MatchedLabel("signs.warning_sign", score, 0.7379f)))
                .build();
    }

    @Test
    void suggestsAndWritesThresholdsFromTheDecisionsOfTheLabelSet() throws Exception {
        String scope = "calibrate-it-" + System.nanoTime();
        Path labels = Files.copy(Path.of("..", "label-sets", "tiny-shapes.yaml"), dir.resolve("tiny-shapes.yaml"));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .logDir(dir.resolve("kafka"))
                .build()
                .start()) {
            broker.createTopic("review-decisions", 2, Map.of());
            try (KafkaProducer<String, ReviewDecision> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", broker.bootstrapServers()),
                    new StringSerializer(),
                    AvroSerdes.serde(
                                    ReviewDecision.class,
                                    ReviewDecision.getClassSchema(),
                                    InMemorySchemaRegistry.scope(scope),
                                    true,
                                    false)
                            .serializer())) {
                // the worked example of DecisionCalibratorTest, plus a duplicate that must not count
                for (ReviewDecision d : List.of(
                        decision("e1", ReviewVerdict.CONFIRMED, 0, 0.90f),
                        decision("e1", ReviewVerdict.OVERTURNED, 0, 0.90f),
                        decision("e2", ReviewVerdict.OVERTURNED, 0, 0.88f),
                        decision("e3", ReviewVerdict.CONFIRMED, 0, 0.87f),
                        decision("e4", ReviewVerdict.OVERTURNED, 0, 0.85f),
                        decision("e5", ReviewVerdict.OVERTURNED, 0, 0.84f))) {
                    producer.send(new ProducerRecord<>("review-decisions", d.getEventId() + "/" + d.getPolicyId(), d))
                            .get();
                }
            }
            CliRun run = CliRun.of(
                    "labels",
                    "calibrate",
                    "--labels",
                    labels.toString(),
                    "--decisions",
                    "--bootstrap-servers",
                    broker.bootstrapServers(),
                    "--schema-registry",
                    "mock://" + scope,
                    "--precision",
                    "0.6",
                    "--write");
            assertThat(run.exit()).as(run.err()).isZero();
            List<JsonNode> lines = run.lines();
            assertThat(lines).hasSize(1);
            JsonNode line = lines.get(0);
            assertThat(line.get("label").asText()).isEqualTo("signs.warning_sign");
            assertThat(line.get("threshold").floatValue()).isEqualTo(0.87f);
            assertThat(line.get("support").asInt()).isEqualTo(3);
            assertThat(line.get("confirmed").asInt()).isEqualTo(2);
            assertThat(line.get("decisions").asInt()).isEqualTo(5);
            assertThat(run.err()).contains("5 standing decisions on label set tiny-shapes (of 6 on review-decisions)");
            assertThat(Files.readString(labels)).contains("  - id: signs.warning_sign\n    threshold: 0.87");
        } finally {
            InMemorySchemaRegistry.drop(scope);
        }
    }
}
