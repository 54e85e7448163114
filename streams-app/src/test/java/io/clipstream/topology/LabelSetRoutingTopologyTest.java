package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.clip.TestModels;
import io.clipstream.labels.ActiveLabelSets;
import io.clipstream.schema.AppliesTo;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.LabelSetMode;
import io.clipstream.schema.PolicyFlag;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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

/**
 * Per-surface routing ({@code applies_to}), shadow versions and a version switch inside a flush, on
 * TopologyTestDriver with a fixed start time.
 */
class LabelSetRoutingTopologyTest {

    private static final Instant START = Instant.parse("2026-11-29T12:00:00Z");

    @TempDir
    Path dir;

    private TestPipeline pipeline;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestInputTopic<String, LabelSet> labelSets;
    private TestOutputTopic<String, ImageTags> tags;
    private TestOutputTopic<String, PolicyFlag> flags;
    private TestOutputTopic<String, ImageTags> shadowTags;
    private TestOutputTopic<String, PolicyFlag> shadowFlags;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(Map<String, String> overrides) {
        pipeline = new TestPipeline(dir, overrides);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "clipstream-routing-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        driver = new TopologyTestDriver(pipeline.topology(), props, START);
        Topics t = pipeline.topics;
        events = driver.createInputTopic(
                t.imageEvents().name(),
                new ByteArraySerializer(),
                new ByteArraySerializer(),
                START,
                Duration.ofMillis(10));
        labelSets = driver.createInputTopic(
                t.labelSets().name(),
                new StringSerializer(),
                t.labelSets().valueSerde().serializer());
        tags = driver.createOutputTopic(
                t.imageTags().name(),
                new StringDeserializer(),
                t.imageTags().valueSerde().deserializer());
        flags = driver.createOutputTopic(
                t.policyFlags().name(),
                new StringDeserializer(),
                t.policyFlags().valueSerde().deserializer());
        shadowTags = driver.createOutputTopic(
                t.imageTagsShadow().name(),
                new StringDeserializer(),
                t.imageTagsShadow().valueSerde().deserializer());
        shadowFlags = driver.createOutputTopic(
                t.policyFlagsShadow().name(),
                new StringDeserializer(),
                t.policyFlagsShadow().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(
                t.deadLetters().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
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

    private void punctuateTwice() {
        driver.advanceWallClockTime(Duration.ofMillis(10));
        driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    /** The test set (any.thing always tags, flag-anything always fires) named {@code name}. */
    private static LabelSet set(String name, String version, AppliesTo appliesTo, LabelSetMode mode) {
        LabelSet set = ClipStreamTopologyTest.labelSet(version, TestPipeline.FINGERPRINT);
        set.setName(name);
        set.setAppliesTo(appliesTo);
        set.setMode(mode);
        return set;
    }

    /** The test set whose policy never fires: only never.this, which no image reaches. */
    private static LabelSet quiet(String name, String version, LabelSetMode mode) {
        LabelSet set = set(name, version, null, mode);
        set.setPolicies(List.of(set.getPolicies().get(1)));
        return set;
    }

    private byte[] event(String id, String source, Map<String, String> attributes) throws IOException {
        byte[] image =
                Files.readAllBytes(TestModels.committed("reference-images").resolve("astronaut.jpg"));
        return pipeline.topics
                .eventFormat()
                .write(
                        pipeline.topics.imageEvents().name() + "-value",
                        ImageEvent.newBuilder()
                                .setEventId(id)
                                .setOccurredAt(START)
                                .setSource(source)
                                .setAttributes(Map.copyOf(attributes))
                                .setImage(new InlineImage(ByteBuffer.wrap(image)))
                                .build());
    }

    @Test
    void eventsAreScoredOnlyWithTheSetsThatApplyAndAnEventNoSetAppliesToSaysSo() throws IOException {
        start(Map.of("batch.max.size", "4", "batch.max.delay.ms", "60000"));
        AppliesTo kids = AppliesTo.newBuilder()
                .setSources(List.of("uploads", "avatars"))
                .setAttributes(Map.of("surface", "kids"))
                .build();
        AppliesTo uploads = AppliesTo.newBuilder()
                .setSources(List.of("uploads"))
                .setAttributes(Map.of())
                .build();
        labelSets.pipeInput("kids", set("kids", "1", kids, LabelSetMode.LIVE));
        labelSets.pipeInput("uploads", set("uploads", "1", uploads, LabelSetMode.LIVE));
        events.pipeInput(event("kid-upload", "uploads", Map.of("surface", "kids")));
        events.pipeInput(event("kid-avatar", "avatars", Map.of("surface", "kids", "lang", "de")));
        events.pipeInput(event("adult-upload", "uploads", Map.of("surface", "adults")));
        events.pipeInput(event("chat", "chat", Map.of("surface", "kids")));
        punctuateTwice();

        List<String> scored = tags.readValuesToList().stream()
                .map(t -> t.getEventId() + ":" + t.getLabelSetName() + ":" + t.getNoLabelSetApplies())
                .toList();
        assertThat(scored)
                .containsExactly(
                        "kid-upload:kids:false",
                        "kid-avatar:kids:false",
                        "kid-upload:uploads:false",
                        "adult-upload:uploads:false",
                        "chat::true");
        assertThat(flags.readValuesToList())
                .extracting(f -> f.getEventId() + ":" + f.getLabelSetName())
                .containsExactly("kid-upload:kids", "kid-avatar:kids", "kid-upload:uploads", "adult-upload:uploads");
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.metrics.count("clipstream.label.set.scored", "label_set", "kids"))
                .isEqualTo(2);
        assertThat(pipeline.metrics.count("clipstream.label.set.scored", "label_set", "uploads"))
                .isEqualTo(2);
    }

    @Test
    void routingInTheProcessorConfigurationReplacesTheSetsOwn() throws IOException {
        start(Map.of(
                "batch.max.size",
                "3",
                "batch.max.delay.ms",
                "60000",
                "labels.applies.to",
                "uploads:source=avatars|chat&surface=kids"));
        pipeline.labelSets.routedBy(pipeline.config.labelRouting());
        AppliesTo uploads = AppliesTo.newBuilder()
                .setSources(List.of("uploads"))
                .setAttributes(Map.of())
                .build();
        labelSets.pipeInput("uploads", set("uploads", "1", uploads, LabelSetMode.LIVE));
        events.pipeInput(event("upload", "uploads", Map.of("surface", "kids")));
        events.pipeInput(event("avatar", "avatars", Map.of("surface", "kids")));
        events.pipeInput(event("chat", "chat", Map.of("surface", "adults")));
        punctuateTwice();
        assertThat(tags.readValuesToList())
                .extracting(t -> t.getEventId() + ":" + t.getLabelSetName())
                .containsExactly("avatar:uploads", "upload:", "chat:");
    }

    @Test
    void malformedConfiguredRoutingFailsAtStartUpNamingTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> io.clipstream.config.ClipStreamConfig.of(Map.of("labels.applies.to", "kids:surface")))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("labels.applies.to")
                .hasMessageContaining("'kids:surface': condition" + " 'surface' is not KEY=VALUE");
    }

    @Test
    void aShadowVersionIsScoredBesideTheLiveOneAndNeverProducesALiveResult() throws IOException {
        start(Map.of("batch.max.size", "3", "batch.max.delay.ms", "60000"));
        labelSets.pipeInput("demo", quiet("demo", "1", LabelSetMode.LIVE));
        labelSets.pipeInput(ActiveLabelSets.shadowKey("demo"), set("demo", "2", null, LabelSetMode.SHADOW));
        events.pipeInput(event("e1", "uploads", Map.of()));
        events.pipeInput(event("e2", "uploads", Map.of()));
        events.pipeInput(event("e3", "avatars", Map.of()));
        punctuateTwice();

        assertThat(tags.readValuesToList())
                .extracting(t -> t.getEventId() + ":" + t.getLabelSetVersion())
                .containsExactly("e1:1", "e2:1", "e3:1");
        assertThat(flags.isEmpty())
                .as("the live version fires nothing; the shadow's flags stay in shadow")
                .isTrue();
        assertThat(shadowTags.readValuesToList())
                .extracting(t -> t.getEventId() + ":" + t.getLabelSetVersion())
                .containsExactly("e1:2", "e2:2", "e3:2");
        assertThat(shadowFlags.readValuesToList())
                .extracting(f -> f.getEventId() + ":" + f.getPolicyId() + ":" + f.getLabelSetVersion())
                .containsExactly("e1:flag-anything:2", "e2:flag-anything:2", "e3:flag-anything:2");
        assertThat(pipeline.metrics.flagRate("demo", "shadow", "flag-anything")).isEqualTo(1.0);
        assertThat(pipeline.metrics.flagRate("demo", "live", "flag-anything")).isEqualTo(0.0);
        assertThat(pipeline.metrics.count("clipstream.flags.out")).isZero();
        assertThat(pipeline.metrics.count("clipstream.tags.out")).isEqualTo(3);
        assertThat(pipeline.metrics
                        .registry()
                        .find("clipstream.label.set.version")
                        .tag("label_set", "demo")
                        .gauge()
                        .value())
                .as("the active-version gauge names the live version, not the shadow")
                .isEqualTo(1.0);

        // promote: version 2 published live, the shadow key tombstoned
        labelSets.pipeInput("demo", set("demo", "2", null, LabelSetMode.LIVE));
        labelSets.pipeInput(ActiveLabelSets.shadowKey("demo"), (LabelSet) null);
        events.pipeInput(event("e4", "uploads", Map.of()));
        events.pipeInput(event("e5", "uploads", Map.of()));
        events.pipeInput(event("e6", "uploads", Map.of()));
        punctuateTwice();
        assertThat(flags.readValuesToList())
                .extracting(f -> f.getEventId() + ":" + f.getLabelSetVersion())
                .containsExactly("e4:2", "e5:2", "e6:2");
        assertThat(shadowTags.isEmpty()).isTrue();
        assertThat(shadowFlags.isEmpty()).isTrue();
    }

    @Test
    void aVersionPublishedBetweenArmingAndRunningAFlushScoresTheWholeFlush() throws IOException {
        start(Map.of("batch.max.size", "3", "batch.max.delay.ms", "60000"));
        labelSets.pipeInput("demo", quiet("demo", "1", LabelSetMode.LIVE));
        events.pipeInput(event("e1", "uploads", Map.of()));
        events.pipeInput(event("e2", "uploads", Map.of()));
        events.pipeInput(event("e3", "uploads", Map.of()));
        driver.advanceWallClockTime(Duration.ofMillis(10));
        assertThat(tags.isEmpty()).as("armed, not yet run").isTrue();
        labelSets.pipeInput("demo", set("demo", "2", null, LabelSetMode.LIVE));
        driver.advanceWallClockTime(Duration.ofMillis(10));

        assertThat(tags.readValuesToList())
                .extracting(t -> t.getEventId() + ":" + t.getLabelSetVersion())
                .containsExactly("e1:2", "e2:2", "e3:2");
        assertThat(flags.readValuesToList())
                .extracting(f -> f.getEventId() + ":" + f.getLabelSetVersion())
                .containsExactly("e1:2", "e2:2", "e3:2");
    }
}
