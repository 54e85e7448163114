package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.clip.TestModels;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.ImageEmbedding;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageReference;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import io.clipstream.schema.internal.BufferedEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every path of the topology on TopologyTestDriver, with a fixed start time and wall clock advanced by hand. */
class ClipStreamTopologyTest {

    private static final Instant START = Instant.parse("2026-11-29T12:00:00Z");

    @TempDir
    Path dir;

    private TestPipeline pipeline;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestInputTopic<String, LabelSet> labelSets;
    private TestOutputTopic<String, ImageTags> tags;
    private TestOutputTopic<String, PolicyFlag> flags;
    private TestOutputTopic<String, ImageEmbedding> embeddings;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(Map<String, String> overrides) {
        pipeline = new TestPipeline(dir, overrides);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "clipstream-test");
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
        embeddings = driver.createOutputTopic(
                t.imageEmbeddings().name(),
                new StringDeserializer(),
                t.imageEmbeddings().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(
                t.deadLetters().name(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
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

    /** Pipes an event, then lets two punctuations pass: one arms a due batch (commit), the next runs it. */
    private void pipe(byte[] key, byte[] value) {
        events.pipeInput(key, value);
        punctuateTwice();
    }

    private void pipe(byte[] value) {
        events.pipeInput(value);
        punctuateTwice();
    }

    private void punctuateTwice() {
        driver.advanceWallClockTime(Duration.ofMillis(10));
        driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    /** A 32-d set: "any.thing" tags every image (threshold -1), "never.this" none (threshold 1). */
    static LabelSet labelSet(String version, String fingerprint) {
        return LabelSet.newBuilder()
                .setName("demo")
                .setVersion(version)
                .setDescription("")
                .setModelId("tiny-vit")
                .setModelFingerprint(fingerprint)
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
                                .setId("never.this")
                                .setDisplayName("never")
                                .setGroup("g")
                                .setThreshold(1f)
                                .setEmbedding(TestPipeline.constant(32, -0.1767767f))
                                .build()))
                .setPolicies(List.of(
                        Policy.newBuilder()
                                .setId("flag-anything")
                                .setMatch(PolicyMatch.ANY)
                                .setLabels(List.of("any"))
                                .setAction(PolicyAction.REVIEW)
                                .setSeverity(Severity.LOW)
                                .build(),
                        Policy.newBuilder()
                                .setId("flag-never")
                                .setMatch(PolicyMatch.ANY)
                                .setLabels(List.of("never.this"))
                                .setAction(PolicyAction.BLOCK)
                                .setSeverity(Severity.HIGH)
                                .build()))
                .setCompiledAt(START)
                .build();
    }

    private byte[] event(String id, byte[] image) {
        return pipeline.topics
                .eventFormat()
                .write(
                        pipeline.topics.imageEvents().name() + "-value",
                        ImageEvent.newBuilder()
                                .setEventId(id)
                                .setOccurredAt(START)
                                .setSource("test")
                                .setImage(new InlineImage(ByteBuffer.wrap(image)))
                                .build());
    }

    private static byte[] image(String name) throws IOException {
        return Files.readAllBytes(TestModels.committed("reference-images").resolve(name));
    }

    @Test
    void eventsAreTaggedAndFlaggedOncePerEventWithTheLabelSetVersion() throws IOException {
        start(Map.of());
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));
        pipe("k1".getBytes(), event("e1", image("astronaut.jpg")));
        pipe("k2".getBytes(), event("e2", image("chelsea.png")));
        List<TestRecord<String, ImageTags>> out = tags.readRecordsToList();
        assertThat(out).extracting(TestRecord::key).containsExactly("e1", "e2");
        ImageTags first = out.get(0).value();
        assertThat(first.getLabelSetName()).isEqualTo("demo");
        assertThat(first.getLabelSetVersion()).isEqualTo("1");
        assertThat(first.getModelId()).isEqualTo("tiny-vit");
        assertThat(first.getTags()).extracting(t -> t.getLabelId()).containsExactly("any.thing");
        assertThat(first.getTags().get(0).getRank()).isEqualTo(1);
        assertThat(out.get(0).timestamp()).isEqualTo(START.toEpochMilli());
        List<PolicyFlag> flagged = flags.readValuesToList();
        assertThat(flagged).extracting(PolicyFlag::getPolicyId).containsExactly("flag-anything", "flag-anything");
        assertThat(flagged.get(0).getMatched().get(0).getThreshold()).isEqualTo(-1f);
        assertThat(flagged.get(0).getLabelSetVersion()).isEqualTo("1");
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(embeddings.isEmpty()).isTrue();
        assertThat(pipeline.metrics.count("clipstream.events.in")).isEqualTo(2);
        assertThat(pipeline.metrics.count("clipstream.tags.out")).isEqualTo(2);
    }

    @Test
    void aBatchWaitsInTheStoreUntilFullThenFlushesOnSize() throws IOException {
        start(Map.of("batch.max.size", "3", "batch.max.delay.ms", "60000"));
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));
        pipe(event("e1", image("astronaut.jpg")));
        pipe(event("e2", image("chelsea.png")));
        assertThat(tags.isEmpty()).isTrue();
        KeyValueStore<Long, BufferedEvent> store = driver.getKeyValueStore(ClipStreamTopology.BUFFER_STORE);
        assertThat(store.approximateNumEntries()).isEqualTo(2);
        assertThat(store.get(0L).getOffset()).isZero();
        assertThat(store.get(1L).getOffset()).isEqualTo(1);
        pipe(event("e3", image("coffee-small.png")));
        assertThat(tags.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("e1", "e2", "e3");
        assertThat(store.approximateNumEntries()).isZero();
    }

    @Test
    void aPartialBatchFlushesWhenItsOldestEventReachesTheMaximumDelay() throws IOException {
        start(Map.of("batch.max.size", "10", "batch.max.delay.ms", "200"));
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));
        pipe(event("e1", image("astronaut.jpg")));
        driver.advanceWallClockTime(Duration.ofMillis(150));
        assertThat(tags.isEmpty()).isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(30));
        assertThat(tags.isEmpty())
                .as("armed at 200 ms, runs at the next punctuation")
                .isTrue();
        driver.advanceWallClockTime(Duration.ofMillis(10));
        assertThat(tags.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("e1");
        assertThat(driver.getKeyValueStore(ClipStreamTopology.BUFFER_STORE).approximateNumEntries())
                .isZero();
    }

    @Test
    void noPolicyFiresWhenNoTagMatchesIt() throws IOException {
        start(Map.of("batch.max.size", "1"));
        LabelSet set = labelSet("1", TestPipeline.FINGERPRINT);
        set.setPolicies(List.of(set.getPolicies().get(1)));
        labelSets.pipeInput("demo", set);
        pipe(event("e1", image("astronaut.jpg")));
        assertThat(tags.readValuesToList()).hasSize(1);
        assertThat(flags.isEmpty()).isTrue();
    }

    @Test
    void embeddingsAreEmittedWhenEnabled() throws IOException {
        start(Map.of("batch.max.size", "1", "output.embeddings.enabled", "true"));
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));
        pipe(event("e1", image("astronaut.jpg")));
        ImageEmbedding embedding = embeddings.readValue();
        assertThat(embedding.getEventId()).isEqualTo("e1");
        assertThat(embedding.getEmbedding()).hasSize(32);
        double norm = embedding.getEmbedding().stream().mapToDouble(v -> v * v).sum();
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void aLabelSetUpdateMidStreamAppliesToTheNextBatch() throws IOException {
        start(Map.of("batch.max.size", "1"));
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));
        pipe(event("e1", image("astronaut.jpg")));
        labelSets.pipeInput("demo", labelSet("2", TestPipeline.FINGERPRINT));
        pipe(event("e2", image("astronaut.jpg")));
        assertThat(tags.readValuesToList())
                .extracting(ImageTags::getLabelSetVersion)
                .containsExactly("1", "2");
    }

    @Test
    void aLabelSetForAnotherModelIsRefusedAndThePreviousVersionStays() throws IOException {
        start(Map.of("batch.max.size", "1"));
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));
        labelSets.pipeInput("demo", labelSet("2", "sha256:another-model"));
        pipe(event("e1", image("astronaut.jpg")));
        assertThat(tags.readValue().getLabelSetVersion()).isEqualTo("1");
        assertThat(pipeline.metrics.count("clipstream.label.sets.refused")).isEqualTo(1);
    }

    private record Dead(String reason, String stage, byte[] value) {}

    private Dead readDead() {
        TestRecord<byte[], byte[]> record = deadLetters.readRecord();
        var headers = record.headers();
        assertThat(DeadLetterRecords.header(headers, DeadLetterRecords.HEADER_TOPIC))
                .isEqualTo(pipeline.topics.imageEvents().name());
        assertThat(DeadLetterRecords.header(headers, DeadLetterRecords.HEADER_PARTITION))
                .isEqualTo("0");
        assertThat(DeadLetterRecords.header(headers, DeadLetterRecords.HEADER_OFFSET))
                .isNotNull();
        assertThat(DeadLetterRecords.header(headers, DeadLetterRecords.HEADER_MESSAGE))
                .isNotBlank();
        return new Dead(
                DeadLetterRecords.header(headers, DeadLetterRecords.HEADER_REASON),
                DeadLetterRecords.header(headers, DeadLetterRecords.HEADER_STAGE),
                record.value());
    }

    @Test
    void everyKindOfBadInputBecomesADeadLetterWithItsOriginalBytesAndTheStreamGoesOn() throws IOException {
        start(Map.of("batch.max.size", "1", "image.max.bytes", "100000"));
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));

        pipe("k".getBytes(), (byte[]) null);
        Dead nullValue = readDead();
        assertThat(nullValue.reason()).isEqualTo("NULL_VALUE");
        assertThat(nullValue.stage()).isEqualTo("validate");

        byte[] random = new byte[64];
        new java.util.Random(7).nextBytes(random);
        random[0] = 0x42;
        pipe(random);
        Dead notAvro = readDead();
        assertThat(notAvro.reason()).isEqualTo("NOT_AVRO");
        assertThat(notAvro.value()).isEqualTo(random);

        byte[] unknownId = {0, 0, 0, 0x30, 0x39, 2, 'x'};
        pipe(unknownId);
        assertThat(readDead().reason()).isEqualTo("UNKNOWN_SCHEMA_ID");

        byte[] big = event("big", new byte[150_000]);
        pipe(big);
        Dead tooLarge = readDead();
        assertThat(tooLarge.reason()).isEqualTo("TOO_LARGE");
        assertThat(tooLarge.value()).isEqualTo(big);

        byte[] reference = pipeline.topics
                .eventFormat()
                .write(
                        pipeline.topics.imageEvents().name() + "-value",
                        ImageEvent.newBuilder()
                                .setEventId("ref")
                                .setOccurredAt(START)
                                .setSource("t")
                                .setImage(new ImageReference("https://example.com/a.jpg", null))
                                .build());
        pipe(reference);
        assertThat(readDead().reason()).isEqualTo("REFERENCE_NOT_ALLOWED");

        pipe(event("empty", new byte[0]));
        Dead empty = readDead();
        assertThat(empty.reason()).isEqualTo("EMPTY");
        assertThat(empty.stage()).isEqualTo("preprocess");

        pipe(event("html", "<html><body>hi</body></html>".getBytes()));
        assertThat(readDead().reason()).isEqualTo("UNKNOWN_FORMAT");

        byte[] jpeg = image("astronaut.jpg");
        pipe(event("truncated", Arrays.copyOf(jpeg, jpeg.length / 2)));
        assertThat(readDead().reason()).isEqualTo("CORRUPT");

        pipe(event("ok", jpeg));
        assertThat(tags.readValue().getEventId()).isEqualTo("ok");
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(pipeline.metrics.count("clipstream.dead.letters", "reason", "NOT_AVRO"))
                .isEqualTo(1);
    }

    private byte[] reference(String id, String uri) {
        return pipeline.topics
                .eventFormat()
                .write(
                        pipeline.topics.imageEvents().name() + "-value",
                        ImageEvent.newBuilder()
                                .setEventId(id)
                                .setOccurredAt(START)
                                .setSource("t")
                                .setImage(new ImageReference(uri, null))
                                .build());
    }

    @Test
    void enabledReferencesAreFetchedOnlyFromAllowedHttpsHosts() {
        start(Map.of(
                "batch.max.size",
                "1",
                "image.references.enabled",
                "true",
                "image.references.allowed.hosts",
                "images.example.com"));
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));
        pipe(reference("plain-http", "http://images.example.com/a.jpg"));
        Dead scheme = readDead();
        assertThat(scheme.reason()).isEqualTo("REFERENCE_SCHEME");
        assertThat(scheme.stage()).isEqualTo("fetch");
        pipe(reference("metadata", "https://169.254.169.254/latest/meta-data/"));
        assertThat(readDead().reason()).isEqualTo("REFERENCE_HOST_NOT_ALLOWED");
        pipe(reference("elsewhere", "https://evil.example.org/a.jpg"));
        assertThat(readDead().reason()).isEqualTo("REFERENCE_HOST_NOT_ALLOWED");
        assertThat(tags.isEmpty()).isTrue();
    }

    @Test
    void enablingReferencesWithoutAnAllowListIsAConfigurationError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchingSettings.of(
                        io.clipstream.config.ClipStreamConfig.of(Map.of("image.references.enabled", "true"))))
                .isInstanceOf(org.apache.kafka.common.config.ConfigException.class)
                .hasMessageContaining("image.references.allowed.hosts")
                .hasMessageContaining("image references are enabled but no host is allowed");
    }

    @Test
    void eventsWithNoActiveLabelSetAreDeadLettered() throws IOException {
        start(Map.of("batch.max.size", "1"));
        pipe(event("e1", image("astronaut.jpg")));
        Dead dead = readDead();
        assertThat(dead.reason()).isEqualTo("NO_LABEL_SET");
        assertThat(dead.stage()).isEqualTo("score");
        assertThat(tags.isEmpty()).isTrue();
    }

    @Test
    void onlyTheConfiguredLabelSetsAreUsed() throws IOException {
        start(Map.of("batch.max.size", "1", "labels.sets", "other"));
        labelSets.pipeInput("demo", labelSet("1", TestPipeline.FINGERPRINT));
        pipe(event("e1", image("astronaut.jpg")));
        assertThat(readDead().reason()).isEqualTo("NO_LABEL_SET");
    }
}
