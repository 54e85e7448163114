package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.banks.ActiveBanks;
import io.clipstream.banks.BankFixtures;
import io.clipstream.clip.TestModels;
import io.clipstream.image.RgbImage;
import io.clipstream.labels.TestLabelSets;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import io.clipstream.schema.BankKind;
import io.clipstream.schema.BankMatch;
import io.clipstream.schema.BankSettings;
import io.clipstream.schema.BankSignal;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Severity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known-content banks in the topology, on TopologyTestDriver with a fixed start time. */
class BankTopologyTest {

    private static final Instant START = Instant.parse("2026-12-01T12:00:00Z");
    private static final String IMAGE_FINGERPRINT = "sha256:test-image-tower";

    @TempDir
    Path dir;

    private TestPipeline pipeline;
    private ActiveBanks banks;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestInputTopic<String, LabelSet> labelSets;
    private TestInputTopic<String, BankEntry> bankTopic;
    private TestOutputTopic<String, ImageTags> tags;
    private TestOutputTopic<String, PolicyFlag> flags;
    private TestOutputTopic<String, BankMatch> matches;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start() {
        pipeline = new TestPipeline(dir, Map.of("batch.max.size", "1"));
        banks = new ActiveBanks(IMAGE_FINGERPRINT, 32);
        PipelineResources resources = new PipelineResources(
                pipeline.encoder.preprocessor(),
                pipeline.decodePool,
                pipeline.batcher,
                pipeline.labelSets,
                List.of(),
                "tiny-vit",
                pipeline.metrics,
                banks);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "clipstream-bank-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        driver = new TopologyTestDriver(
                ClipStreamTopology.buildTopology(
                        pipeline.topics, pipeline.registry, resources, BatchingSettings.of(pipeline.config)),
                props,
                START);
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
        bankTopic = driver.createInputTopic(
                t.banks().name(), new StringSerializer(), t.banks().valueSerde().serializer());
        tags = driver.createOutputTopic(
                t.imageTags().name(),
                new StringDeserializer(),
                t.imageTags().valueSerde().deserializer());
        flags = driver.createOutputTopic(
                t.policyFlags().name(),
                new StringDeserializer(),
                t.policyFlags().valueSerde().deserializer());
        matches = driver.createOutputTopic(
                t.bankMatches().name(),
                new StringDeserializer(),
                t.bankMatches().valueSerde().deserializer());
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

    /** Tags every image "any.thing"; policy flag-anything fires on every image. */
    private static LabelSet labelSet() {
        return TestLabelSets.alwaysFiring(
                        "demo", "1", TestPipeline.FINGERPRINT, "flag-anything", PolicyAction.REVIEW, Severity.LOW)
                .setCompiledAt(START)
                .build();
    }

    private void send(String id, byte[] image) {
        events.pipeInput(
                id.getBytes(),
                pipeline.topics
                        .eventFormat()
                        .write(
                                pipeline.topics.imageEvents().name() + "-value",
                                ImageEvent.newBuilder()
                                        .setEventId(id)
                                        .setOccurredAt(START)
                                        .setSource("test")
                                        .setImage(new InlineImage(ByteBuffer.wrap(image)))
                                        .build()));
        // one punctuation arms the due batch (its attempt is committed first), the next runs it
        driver.advanceWallClockTime(Duration.ofMillis(10));
        driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    private void bank(BankEntry entry) {
        String key = entry.getBody() instanceof BankItem item ? entry.getBank() + "/" + item.getId() : entry.getBank();
        bankTopic.pipeInput(key, entry);
    }

    private static byte[] image(String name) throws IOException {
        return Files.readAllBytes(TestModels.committed("reference-images").resolve(name));
    }

    @Test
    void aKnownImageIsMatchedAndFlaggedWithTheMatchAsEvidence() throws IOException {
        start();
        labelSets.pipeInput("demo", labelSet());
        bank(BankFixtures.positive("known", PolicyAction.BLOCK, Severity.HIGH));
        bank(BankFixtures.item("known", "astro-1", image("astronaut.jpg")));
        send("e1", image("astronaut.jpg"));
        send("e2", image("chelsea.png"));
        List<BankMatch> found = matches.readValuesToList();
        assertThat(found).hasSize(1);
        BankMatch m = found.get(0);
        assertThat(m.getEventId()).isEqualTo("e1");
        assertThat(m.getBank()).isEqualTo("known");
        assertThat(m.getBankKind()).isEqualTo(BankKind.POSITIVE);
        assertThat(m.getItemId()).isEqualTo("astro-1");
        assertThat(m.getSignal()).isEqualTo(BankSignal.PDQ);
        assertThat(m.getPdqDistance()).isZero();
        assertThat(m.getPdqVariant()).isEqualTo("original");
        assertThat(m.getQuality())
                .isEqualTo(BankFixtures.pdq(image("astronaut.jpg")).quality());
        assertThat(m.getClipSimilarity()).isNull();
        assertThat(m.getSuppressedBy()).isEmpty();
        assertThat(m.getDecidedAt())
                .as("decided when the batch ran, two punctuations in")
                .isEqualTo(START.plusMillis(20));
        List<PolicyFlag> flagged = flags.readValuesToList();
        assertThat(flagged)
                .extracting(PolicyFlag::getEventId, PolicyFlag::getPolicyId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("e1", "bank:known"),
                        org.assertj.core.groups.Tuple.tuple("e1", "flag-anything"),
                        org.assertj.core.groups.Tuple.tuple("e2", "flag-anything"));
        PolicyFlag bankFlag = flagged.get(0);
        assertThat(bankFlag.getAction()).isEqualTo(PolicyAction.BLOCK);
        assertThat(bankFlag.getSeverity()).isEqualTo(Severity.HIGH);
        assertThat(bankFlag.getBankMatch()).isEqualTo(m);
        assertThat(tags.readRecordsToList().stream().map(r -> r.key()).toList()).containsExactly("e1", "e2");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aMirroredCopyMatchesThroughItsDihedralVariant() throws IOException {
        start();
        bank(BankFixtures.positive("known", null, Severity.MEDIUM));
        bank(BankFixtures.item("known", "astro-1", image("astronaut.jpg")));
        send("m1", BankFixtures.mirrored(image("astronaut.jpg")));
        BankMatch m = matches.readValue();
        assertThat(m.getItemId()).isEqualTo("astro-1");
        assertThat(m.getPdqVariant()).isEqualTo("flipY");
        // not 0: the 64 decimation points and even box windows are not mirror-symmetric (10 bits measured here)
        assertThat(m.getPdqDistance()).isLessThanOrEqualTo(16);
        assertThat(flags.isEmpty())
                .as("a bank without an action records matches only")
                .isTrue();
        assertThat(deadLetters.isEmpty())
                .as("banks alone are enough to process an event")
                .isTrue();

        bank(new BankEntry(
                "known", BankSettings.newBuilder().setPdqDihedral(false).build()));
        send("m2", BankFixtures.mirrored(image("astronaut.jpg")));
        send("o2", image("astronaut.jpg"));
        assertThat(matches.readValuesToList())
                .as("without dihedral matching only the unmirrored copy matches")
                .extracting(BankMatch::getEventId)
                .containsExactly("o2");
    }

    @Test
    void itemsAddedAndRemovedLiveApplyToTheNextBatch() throws IOException {
        start();
        bank(BankFixtures.positive("known", PolicyAction.REVIEW, Severity.LOW));
        bank(BankFixtures.item("known", "other", image("chelsea.png")));
        send("before", image("astronaut.jpg"));
        bank(BankFixtures.item("known", "astro-1", image("astronaut.jpg")));
        send("added", image("astronaut.jpg"));
        bankTopic.pipeInput("known/astro-1", null);
        send("removed", image("astronaut.jpg"));
        assertThat(matches.readValuesToList())
                .extracting(BankMatch::getEventId, BankMatch::getItemId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("added", "astro-1"));
        assertThat(banks.size("known")).isEqualTo(1);
    }

    @Test
    void aNegativeBankOverridesThePositiveBanksAndPoliciesItNames() throws IOException {
        start();
        labelSets.pipeInput("demo", labelSet());
        bank(BankFixtures.positive("known", PolicyAction.BLOCK, Severity.HIGH));
        bank(BankFixtures.item("known", "astro-1", image("astronaut.jpg")));
        bank(BankFixtures.item("known", "cat-1", image("chelsea.png")));
        bank(BankFixtures.negative("false-positives", List.of("known"), List.of("demo/flag-anything")));
        bank(BankFixtures.item("false-positives", "cat-ok", image("chelsea.png")));
        send("e1", image("astronaut.jpg"));
        send("e2", image("chelsea.png"));
        List<BankMatch> found = matches.readValuesToList();
        assertThat(found)
                .extracting(BankMatch::getEventId, BankMatch::getBank, BankMatch::getItemId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("e1", "known", "astro-1"),
                        org.assertj.core.groups.Tuple.tuple("e2", "false-positives", "cat-ok"),
                        org.assertj.core.groups.Tuple.tuple("e2", "known", "cat-1"));
        assertThat(found.get(1).getBankKind()).isEqualTo(BankKind.NEGATIVE);
        assertThat(found.get(2).getSuppressedBy()).containsExactly("false-positives/cat-ok");
        assertThat(pipeline.metrics
                        .registry()
                        .find("clipstream.bank.matches")
                        .tags("bank", "known", "suppressed", "true")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(pipeline.metrics
                        .registry()
                        .find("clipstream.bank.matches")
                        .tags("bank", "known", "suppressed", "false")
                        .counter()
                        .count())
                .isEqualTo(1.0);
        assertThat(found.get(0).getSuppressedBy()).isEmpty();
        assertThat(flags.readValuesToList())
                .extracting(PolicyFlag::getEventId, PolicyFlag::getPolicyId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("e1", "bank:known"),
                        org.assertj.core.groups.Tuple.tuple("e1", "flag-anything"));
        assertThat(tags.readRecordsToList().stream().map(r -> r.key()).toList())
                .as("tags are not flags: still emitted")
                .containsExactly("e1", "e2");
    }

    @Test
    void clipEmbeddingsMatchOnlyWhenComputedWithThisModel() throws IOException {
        start();
        RgbImage pixels;
        try {
            pixels = pipeline.encoder.preprocessor().preprocessPixels(image("astronaut.jpg"));
        } catch (io.clipstream.image.ImageRejectedException e) {
            throw new IllegalStateException(e);
        }
        float[] embedding = pipeline.encoder.embed(List.of(pixels))[0];
        List<Float> boxed = new ArrayList<>();
        for (float v : embedding) {
            boxed.add(v);
        }
        bank(new BankEntry(
                "semantic",
                BankSettings.newBuilder()
                        .setClipMinSimilarity(0.999f)
                        .setAction(PolicyAction.REVIEW)
                        .build()));
        bank(new BankEntry(
                "semantic",
                BankItem.newBuilder()
                        .setId("other-model")
                        .setEmbedding(boxed)
                        .setModelFingerprint("sha256:another-model")
                        .build()));
        send("before", image("astronaut.jpg"));
        bank(new BankEntry(
                "semantic",
                BankItem.newBuilder()
                        .setId("astro-clip")
                        .setEmbedding(boxed)
                        .setModelFingerprint(IMAGE_FINGERPRINT)
                        .build()));
        send("after", image("astronaut.jpg"));
        List<BankMatch> found = matches.readValuesToList();
        assertThat(found).extracting(BankMatch::getEventId).containsExactly("after");
        assertThat(found.get(0).getItemId()).isEqualTo("astro-clip");
        assertThat(found.get(0).getSignal()).isEqualTo(BankSignal.CLIP);
        assertThat(found.get(0).getPdqDistance()).isNull();
        assertThat(found.get(0).getClipSimilarity()).isGreaterThan(0.999f);
    }

    @Test
    void inconsistentBankRecordsAreRefusedAndChangeNothing() throws IOException {
        start();
        bank(BankFixtures.positive("known", PolicyAction.REVIEW, Severity.LOW));
        bankTopic.pipeInput("known/x", BankFixtures.item("known", "y", image("astronaut.jpg")));
        bankTopic.pipeInput("known/bad", BankFixtures.item("known", "bad", "not-a-hash", 90));
        bankTopic.pipeInput("other", BankFixtures.positive("known", PolicyAction.BLOCK, Severity.HIGH));
        assertThat(banks.size("known")).isZero();
        assertThat(banks.size("other")).isZero();
        send("e1", image("astronaut.jpg"));
        assertThat(matches.isEmpty()).isTrue();
        org.apache.kafka.streams.state.KeyValueStore<String, byte[]> store =
                driver.getKeyValueStore(ClipStreamTopology.BANK_STORE);
        assertThat(store.get("known/x")).isNull();
        assertThat(store.get("known")).isNotNull();
    }
}
