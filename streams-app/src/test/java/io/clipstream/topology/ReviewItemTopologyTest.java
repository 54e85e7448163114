package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.banks.ActiveBanks;
import io.clipstream.clip.TestModels;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.ReviewItem;
import io.clipstream.schema.Severity;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.imageio.ImageIO;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Review items from the processor (review.items.enabled), on TopologyTestDriver with a fixed start time. */
class ReviewItemTopologyTest {

    private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");

    @TempDir
    Path dir;

    private TestPipeline pipeline;
    private TopologyTestDriver driver;

    private void start(boolean enabled) {
        pipeline =
                new TestPipeline(dir, Map.of("batch.max.size", "1", "review.items.enabled", Boolean.toString(enabled)));
        PipelineResources resources = new PipelineResources(
                pipeline.encoder.preprocessor(),
                pipeline.decodePool,
                pipeline.batcher,
                pipeline.labelSets,
                List.of(),
                "tiny-vit",
                pipeline.metrics,
                new ActiveBanks("sha256:test-image-tower", 32));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "clipstream-review-item-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        driver = new TopologyTestDriver(
                ClipStreamTopology.buildTopology(
                        pipeline.topics, pipeline.registry, resources, BatchingSettings.of(pipeline.config)),
                props,
                START);
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** Policy "flag-anything" fires on every image (threshold -1); "never" never does. */
    private static LabelSet labelSet() {
        return LabelSet.newBuilder()
                .setName("demo")
                .setVersion("7")
                .setModelId("tiny-vit")
                .setModelFingerprint(TestPipeline.FINGERPRINT)
                .setDimension(32)
                .setGroups(List.of(LabelGroup.newBuilder()
                        .setName("g")
                        .setScoring(GroupScoring.THRESHOLD)
                        .build()))
                .setLabels(List.of(
                        CompiledLabel.newBuilder()
                                .setId("any.thing")
                                .setDisplayName("anything")
                                .setGroup("g")
                                .setThreshold(-1f)
                                .setEmbedding(TestPipeline.constant(32, 0.1767767f))
                                .build(),
                        CompiledLabel.newBuilder()
                                .setId("no.thing")
                                .setDisplayName("nothing")
                                .setGroup("g")
                                .setThreshold(2f)
                                .setEmbedding(TestPipeline.constant(32, 0.1767767f))
                                .build()))
                .setPolicies(List.of(Policy.newBuilder()
                        .setId("flag-anything")
                        .setMatch(PolicyMatch.ANY)
                        .setLabels(List.of("any"))
                        .setAction(PolicyAction.REVIEW)
                        .setSeverity(Severity.HIGH)
                        .build()))
                .setCompiledAt(START)
                .build();
    }

    private void send(String id) throws IOException {
        TestInputTopic<byte[], byte[]> events = driver.createInputTopic(
                pipeline.topics.imageEvents().name(),
                new ByteArraySerializer(),
                new ByteArraySerializer(),
                START,
                Duration.ofMillis(10));
        byte[] image =
                Files.readAllBytes(TestModels.committed("reference-images").resolve("chelsea.png"));
        events.pipeInput(
                id.getBytes(),
                pipeline.topics
                        .eventFormat()
                        .write(
                                pipeline.topics.imageEvents().name() + "-value",
                                ImageEvent.newBuilder()
                                        .setEventId(id)
                                        .setOccurredAt(START)
                                        .setSource("uploads")
                                        .setAttributes(Map.of("user", "u-17"))
                                        .setImage(new InlineImage(ByteBuffer.wrap(image)))
                                        .build()));
        driver.advanceWallClockTime(Duration.ofMillis(20));
        driver.advanceWallClockTime(Duration.ofMillis(20));
    }

    private void publishLabelSet() {
        driver.createInputTopic(
                        pipeline.topics.labelSets().name(),
                        new StringSerializer(),
                        pipeline.topics.labelSets().valueSerde().serializer())
                .pipeInput("demo", labelSet());
    }

    @Test
    void aFlaggedEventYieldsOneReviewItemWithAThumbnailAndTheFlagsEvidence() throws IOException {
        start(true);
        publishLabelSet();
        send("e1");
        TestOutputTopic<String, ReviewItem> items = driver.createOutputTopic(
                pipeline.topics.reviewItems().name(),
                new StringDeserializer(),
                pipeline.topics.reviewItems().valueSerde().deserializer());
        TestOutputTopic<String, PolicyFlag> flags = driver.createOutputTopic(
                pipeline.topics.policyFlags().name(),
                new StringDeserializer(),
                pipeline.topics.policyFlags().valueSerde().deserializer());
        List<org.apache.kafka.streams.test.TestRecord<String, ReviewItem>> records = items.readRecordsToList();
        assertThat(records).hasSize(1);
        ReviewItem item = records.get(0).value();
        assertThat(records.get(0).key()).isEqualTo("e1");
        assertThat(item.getSource()).isEqualTo("uploads");
        assertThat(item.getAttributes()).containsExactlyEntriesOf(Map.of("user", "u-17"));
        assertThat(item.getModelId()).isEqualTo("tiny-vit");
        assertThat(item.getFlags()).isEqualTo(flags.readValuesToList());
        PolicyFlag flag = item.getFlags().get(0);
        assertThat(flag.getPolicyId()).isEqualTo("flag-anything");
        assertThat(flag.getLabelSetVersion()).isEqualTo("7");
        assertThat(flag.getMatched()).extracting(m -> m.getLabelId()).containsExactly("any.thing");
        assertThat(flag.getMatched().get(0).getThreshold()).isEqualTo(-1f);
        byte[] jpeg = new byte[item.getThumbnail().remaining()];
        item.getThumbnail().duplicate().get(jpeg);
        assertThat(jpeg[0] & 0xff).isEqualTo(0xff);
        assertThat(jpeg[1] & 0xff).isEqualTo(0xd8);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(jpeg));
        // the whole 451 x 300 image scaled to a longest side of 256 (round(300 * 256 / 451) = 170), not the model's
        // 32 x 32 centre crop: a moderator sees what the model did not
        assertThat(List.of(item.getThumbnailWidth(), item.getThumbnailHeight())).containsExactly(256, 170);
        assertThat(List.of(decoded.getWidth(), decoded.getHeight())).containsExactly(256, 170);
    }

    @Test
    void offByDefaultNoReviewTopicIsWritten() throws IOException {
        start(false);
        publishLabelSet();
        send("e1");
        assertThat(driver.producedTopicNames())
                .doesNotContain(pipeline.topics.reviewItems().name());
        assertThat(driver.producedTopicNames())
                .contains(pipeline.topics.policyFlags().name());
    }
}
