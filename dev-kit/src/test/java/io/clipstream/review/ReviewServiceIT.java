package io.clipstream.review;

import static io.clipstream.review.ReviewFixtures.START;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import io.clipstream.schema.ReviewVerdict;
import io.clipstream.schema.Severity;
import io.clipstream.topology.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The review service on the embedded broker: items read from review-items, a decision published once to
 * review-decisions (read_committed), and everything still there after a restart.
 */
class ReviewServiceIT {

    @TempDir
    Path dir;

    @Test
    void decidesOnceAndRestartsWithoutLoss() throws Exception {
        String scope = "review-it-" + System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                .logDir(dir.resolve("kafka"))
                .build()
                .start()) {
            Map<String, String> settings = new HashMap<>(Map.of(
                    "bootstrap.servers",
                    broker.bootstrapServers(),
                    "schema.registry.url",
                    "mock://" + scope,
                    "state.dir",
                    dir.resolve("state").toString(),
                    "topic.partitions",
                    "1",
                    "review.http.port",
                    "0",
                    "review.users",
                    "mia:moderator:" + BCrypt.withDefaults().hashToString(4, "pw".toCharArray())));
            ClipStreamConfig config = ClipStreamConfig.of(settings);
            Topics topics = Topics.of(config, InMemorySchemaRegistry.scope(scope));
            broker.createTopic(topics.reviewItems().name(), 1, Map.of());
            Map<String, Object> producerConfig = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (KafkaProducer<String, ReviewItem> producer = new KafkaProducer<>(
                    producerConfig,
                    new StringSerializer(),
                    topics.reviewItems().valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(
                                topics.reviewItems().name(),
                                "e1",
                                ReviewFixtures.item(
                                        "e1",
                                        "uploads",
                                        START,
                                        ReviewFixtures.flag("e1", "nudity", Severity.HIGH, 0.31f))))
                        .get();
            }
            try (ReviewService service = ReviewService.start(config)) {
                assertThat(service.url()).startsWith("http://127.0.0.1:");
                ConsoleClient mia = new ConsoleClient(service.url()).login("mia", "pw");
                awaitContains(mia, "data-event=\"e1\"");
                Map<String, String> confirm =
                        Map.of("event", "e1", "policy", "nudity", "decision", "CONFIRMED", "revision", "0");
                assertThat(mia.post("/decide", confirm).statusCode()).isEqualTo(303);
                assertThat(mia.post("/decide", confirm)
                                .headers()
                                .firstValue("location")
                                .orElseThrow())
                        .contains("already+decided");
            }
            List<ReviewDecision> onTopic = DecisionReader.readAll(
                    broker.committedReaderConfig("check"),
                    topics.reviewDecisions().name(),
                    topics.reviewDecisions().valueSerde().deserializer(),
                    Duration.ofSeconds(30));
            assertThat(onTopic).hasSize(1);
            assertThat(onTopic.get(0).getDecision()).isEqualTo(ReviewVerdict.CONFIRMED);
            assertThat(onTopic.get(0).getReviewer()).isEqualTo("mia");
            try (ReviewService again = ReviewService.start(config)) {
                ConsoleClient mia = new ConsoleClient(again.url()).login("mia", "pw");
                awaitContains(new ConsoleClient(again.url()).login("mia", "pw"), "data-event=\"e1\"", "/?all=1");
                assertThat(mia.get("/?all=1").body()).contains("CONFIRMED by mia");
                assertThat(mia.get("/").body()).doesNotContain("data-event=\"e1\"");
                assertThat(mia.get("/quality").body()).contains("<td class=\"confirmed\">1</td>");
            }
        } finally {
            InMemorySchemaRegistry.drop(scope);
        }
    }

    private static void awaitContains(ConsoleClient client, String text) throws Exception {
        awaitContains(client, text, "/");
    }

    private static void awaitContains(ConsoleClient client, String text, String path) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!client.get(path).body().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the console never showed " + text);
            }
            Thread.sleep(200);
        }
    }
}
