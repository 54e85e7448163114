package io.clipstream.banks;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.app.ClipStreamApp;
import io.clipstream.bench.BenchImages;
import io.clipstream.clip.TestModels;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.embedded.EmbeddedRunSettings;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.labels.TestLabelSets;
import io.clipstream.pdq.PdqHash;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.registry.RegistrySettings;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.registry.SchemaRegistryClients;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankMatch;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Severity;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Banks end to end on Kafka's own broker: 1,000 events of 20 distinct images against a bank of 10,000 items (10 of
 * them the hashes of event images), a live add and a live remove while the processor runs, a negative bank that
 * overrides one image's positive match and its label-set policy, and a restart half-way through a phase, all read
 * back with {@code read_committed}: every event's bank matches and flags exactly as expected, none twice.
 */
class BankMatchingIT {

    private static final String SCOPE = "bank-it";
    private static final String FINGERPRINT = "sha256:bank-it";
    private static final int IMAGES = 20;

    @TempDir
    Path dir;

    private final Map<String, String> settings = new HashMap<>();

    @Test
    void thousandEventsAgainstTenThousandItemsLiveUpdatesANegativeBankAndARestart() throws Exception {
        List<byte[]> images = BenchImages.generate(IMAGES, 320, 240, "jpeg", 99);
        PdqHash[] hashes = new PdqHash[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            hashes[i] = BankFixtures.pdq(images.get(i)).hash();
        }
        for (int i = 0; i < IMAGES; i++) {
            for (int j = i + 1; j < IMAGES; j++) {
                assertThat(hashes[i].distance(hashes[j]))
                        .as("images %d and %d must be distinct", i, j)
                        .isGreaterThan(31);
            }
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
                SchemaRegistryClient registry = SchemaRegistryClients.create(RegistrySettings.of("mock://" + SCOPE))) {
            settings.putAll(EmbeddedRunSettings.of("clipstream-bank-it", broker.bootstrapServers())
                    .registry("mock://" + SCOPE)
                    .set("topic.prefix", "b.")
                    .partitions(2)
                    .model(TestModels.copy("tiny-vit-openclip", dir))
                    .set("model.fingerprint", FINGERPRINT)
                    .stateDir(dir.resolve("state"))
                    .batch(16, 20)
                    .set("inference.intra.op.threads", "1")
                    .set("decode.threads", "2")
                    .toMap());
            ClipStreamConfig config = ClipStreamConfig.of(settings);
            String banksTopic = config.topic(ClipStreamConfig.TOPIC_BANKS);
            Map<String, Object> clients = Map.of("bootstrap.servers", broker.bootstrapServers());

            // bank "known": 9,990 random hashes and the hashes of images 0..9; "fp" overrides image 0
            Random random = new Random(5);
            List<Map.Entry<BankKey, BankEntry>> records = new ArrayList<>();
            add(records, BankFixtures.positive("known", PolicyAction.BLOCK, Severity.HIGH));
            for (int i = 0; i < 9_990; i++) {
                PdqHash h = PdqHash.of(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
                add(records, BankFixtures.item("known", "random-" + i, h.toHex(), 100));
            }
            for (int i = 0; i < 10; i++) {
                add(records, BankFixtures.item("known", "image-" + i, hashes[i].toHex(), 100));
            }
            add(records, BankFixtures.negative("fp", List.of("known"), List.of("it/always")));
            add(records, BankFixtures.item("fp", "fp-image-0", hashes[0].toHex(), 100));
            try (BankTopic topic = new BankTopic(clients, registry, banksTopic);
                    LabelSetPublisher labels = new LabelSetPublisher(
                            broker.bootstrapServers(),
                            Map.of(),
                            registry,
                            config.topic(ClipStreamConfig.TOPIC_LABEL_SETS))) {
                topic.publish(records);
                labels.publish(labelSet());
                ClipStreamApp app = ClipStreamApp.start(config);
                try {
                    app.awaitRunning(Duration.ofSeconds(60));
                    await(
                            "banks and label set loaded",
                            () -> app.banks().size("known") == 10_000
                                    && app.banks().size("fp") == 1
                                    && !app.labelSets().snapshot().isEmpty());
                    // phase 1: events 0..399
                    produce(config, registry, images, 0, 400);
                    await("phase 1 tagged", () -> app.metrics().count("clipstream.tags.out") >= 400);
                    // live add of image 15
                    long t0 = System.nanoTime();
                    topic.publish(List.of(entry(BankFixtures.item("known", "image-15", hashes[15].toHex(), 100))));
                    await("live add", () -> app.banks().size("known") == 10_001);
                    System.out.printf(
                            "BankMatchingIT: live add took effect in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                    produce(config, registry, images, 400, 600);
                    await("phase 2 tagged", () -> app.metrics().count("clipstream.tags.out") >= 600);
                    // live remove of image 1
                    t0 = System.nanoTime();
                    topic.publish(List.of(new AbstractMap.SimpleEntry<>(new BankKey.Item("known", "image-1"), null)));
                    await("live remove", () -> app.banks().size("known") == 10_000);
                    System.out.printf(
                            "BankMatchingIT: live remove took effect in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                    produce(config, registry, images, 600, 1000);
                    // restart while the last phase is under way
                    await("phase 3 started", () -> app.metrics().count("clipstream.tags.out") >= 700);
                } finally {
                    app.close();
                }
                try (ClipStreamApp restarted = ClipStreamApp.start(config)) {
                    restarted.awaitRunning(Duration.ofSeconds(60));
                    List<ImageTags> tags = consume(
                            config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS),
                            ImageTags.class,
                            ImageTags.getClassSchema(),
                            registry,
                            1000);
                    List<BankMatch> matches = consume(
                            config.topic(ClipStreamConfig.TOPIC_BANK_MATCHES),
                            BankMatch.class,
                            BankMatch.getClassSchema(),
                            registry,
                            expectedMatchCount());
                    List<PolicyFlag> flags = consume(
                            config.topic(ClipStreamConfig.TOPIC_POLICY_FLAGS),
                            PolicyFlag.class,
                            PolicyFlag.getClassSchema(),
                            registry,
                            expectedFlagCount());
                    verify(tags, matches, flags);
                }
            }
        } finally {
            InMemorySchemaRegistry.drop(SCOPE);
        }
    }

    /** Which image event {@code n} carries. */
    private static int imageOf(int n) {
        return n % IMAGES;
    }

    /** The item of bank "known" that event {@code n}'s image matches, or null. */
    private static String expectedKnownItem(int n) {
        int image = imageOf(n);
        if (image < 10 && !(image == 1 && n >= 600)) {
            return "image-" + image;
        }
        return image == 15 && n >= 400 ? "image-15" : null;
    }

    private static int expectedMatchCount() {
        int count = 0;
        for (int n = 0; n < 1000; n++) {
            count += (expectedKnownItem(n) != null ? 1 : 0) + (imageOf(n) == 0 ? 1 : 0);
        }
        return count;
    }

    private static int expectedFlagCount() {
        int count = 0;
        for (int n = 0; n < 1000; n++) {
            if (imageOf(n) != 0) {
                count += 1 + (expectedKnownItem(n) != null ? 1 : 0);
            }
        }
        return count;
    }

    private static void verify(List<ImageTags> tags, List<BankMatch> matches, List<PolicyFlag> flags) {
        Map<String, Integer> tagged = new TreeMap<>();
        tags.forEach(t -> tagged.merge(t.getEventId(), 1, Integer::sum));
        assertThat(tagged).as("one ImageTags per event").hasSize(1000).allSatisfy((id, c) -> assertThat(c)
                .as(id)
                .isEqualTo(1));
        Map<String, List<String>> matched = new HashMap<>();
        for (BankMatch m : matches) {
            matched.computeIfAbsent(m.getEventId(), k -> new ArrayList<>())
                    .add(m.getBank() + ":" + m.getItemId()
                            + (m.getSuppressedBy().isEmpty() ? "" : " suppressed by " + m.getSuppressedBy()));
            assertThat(m.getPdqDistance()).isZero();
        }
        Map<String, List<String>> flagged = new HashMap<>();
        for (PolicyFlag f : flags) {
            flagged.computeIfAbsent(f.getEventId(), k -> new ArrayList<>()).add(f.getPolicyId());
        }
        for (int n = 0; n < 1000; n++) {
            String id = "e" + n;
            List<String> expected = new ArrayList<>();
            List<String> expectedFlags = new ArrayList<>();
            String known = expectedKnownItem(n);
            if (imageOf(n) == 0) {
                expected.add("fp:fp-image-0");
                expected.add("known:image-0 suppressed by [fp/fp-image-0]");
            } else {
                if (known != null) {
                    expected.add("known:" + known);
                    expectedFlags.add("bank:known");
                }
                expectedFlags.add("always");
            }
            assertThat(matched.getOrDefault(id, List.of()))
                    .as("bank matches of %s (image %d)", id, imageOf(n))
                    .containsExactlyElementsOf(expected);
            assertThat(flagged.getOrDefault(id, List.of()))
                    .as("flags of %s (image %d)", id, imageOf(n))
                    .containsExactlyElementsOf(expectedFlags);
        }
        System.out.printf(
                "BankMatchingIT: 1000 events, %d bank matches, %d flags, all as expected, none twice%n",
                matches.size(), flags.size());
    }

    private static LabelSet labelSet() {
        return TestLabelSets.alwaysFiring("it", "1", FINGERPRINT, "always", PolicyAction.REVIEW, Severity.LOW)
                .setCompiledAt(Instant.now())
                .build();
    }

    private static void add(List<Map.Entry<BankKey, BankEntry>> records, BankEntry entry) {
        records.add(entry(entry));
    }

    private static Map.Entry<BankKey, BankEntry> entry(BankEntry entry) {
        return Map.entry(BankTopic.keyOf(entry), entry);
    }

    private static void produce(
            ClipStreamConfig config, SchemaRegistryClient registry, List<byte[]> images, int from, int to) {
        String topic = config.topic(ClipStreamConfig.TOPIC_IMAGE_EVENTS);
        AvroWireFormat<ImageEvent> format =
                new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        config.getList(ClipStreamConfig.BOOTSTRAP_SERVERS).get(0),
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        5),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (int n = from; n < to; n++) {
                ImageEvent event = ImageEvent.newBuilder()
                        .setEventId("e" + n)
                        .setOccurredAt(Instant.now())
                        .setSource("bank-it")
                        .setImage(new InlineImage(ByteBuffer.wrap(images.get(imageOf(n)))))
                        .build();
                producer.send(new ProducerRecord<>(topic, "k" + n, format.write(topic + "-value", event)));
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 120_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<T> consume(
            String topic, Class<T> type, org.apache.avro.Schema schema, SchemaRegistryClient registry, int expected) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.get("bootstrap.servers"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "verify-" + topic + "-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(
                props,
                new StringDeserializer(),
                AvroSerdes.serde(type, schema, registry, false, false).deserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 180_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
            long settle = System.currentTimeMillis() + 2_000;
            while (System.currentTimeMillis() < settle) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}
