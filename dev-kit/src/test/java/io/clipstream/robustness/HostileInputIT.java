package io.clipstream.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.app.ClipStreamApp;
import io.clipstream.clip.ModelFolder;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.embedded.EmbeddedRunSettings;
import io.clipstream.labels.LabelSetCompiler;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageReference;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelSet;
import io.clipstream.topology.DeadLetterRecords;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twenty kinds of bad, hostile and borderline input on the real broker: each bad one lands on the dead-letter topic
 * with its own reason code and its original bytes, each valid one is tagged, the stream keeps running, and
 * count(in) = count(tags) + count(dead letters) exactly. A label set compiled for another model is refused mid-run.
 */
class HostileInputIT {

    private static final Path HOSTILE = Path.of("..", "streams-app", "src", "test", "resources", "hostile");

    @TempDir
    Path dir;

    @Test
    void everyBadInputIsADeadLetterWithItsReasonAndEveryValidOneIsTagged() throws Exception {
        String scope = "hostile-" + System.nanoTime();
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
        Path model = Path.of("..", "models", "tiny-shapes");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            ClipStreamConfig config = EmbeddedRunSettings.of("hostile", broker.bootstrapServers())
                    .registry("mock://" + scope)
                    .model(model)
                    .stateDir(dir.resolve("state"))
                    .partitions(1)
                    .batch(4, 50)
                    .set("image.max.bytes", "500000")
                    .config();
            LabelSet labels = LabelSetCompiler.compileFor(
                    ModelFolder.open(model), LabelSetParser.parse(Path.of("..", "label-sets", "tiny-shapes.yaml")));
            String eventsTopic = config.topic(ClipStreamConfig.TOPIC_IMAGE_EVENTS);
            AvroWireFormat<ImageEvent> format =
                    new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
            Map<String, byte[]> inputs = new LinkedHashMap<>();
            Map<String, String> expected = new TreeMap<>();
            for (String valid : List.of(
                    "valid.jpg",
                    "one-pixel.png",
                    "strip-20000x10.png",
                    "gif-10000-frames.gif",
                    "cmyk-odd-icc.jpg",
                    "corrupt-exif.jpg")) {
                inputs.put(valid, event(format, eventsTopic, valid, Files.readAllBytes(HOSTILE.resolve(valid))));
                expected.put(valid, "TAGGED");
            }
            byte[] random = new byte[4096];
            new Random(3).nextBytes(random);
            Map<String, Object[]> images = new LinkedHashMap<>();
            images.put("zero-bytes", new Object[] {new byte[0], "EMPTY"});
            images.put("random-bytes", new Object[] {random, "UNKNOWN_FORMAT"});
            images.put("truncated.jpg", new Object[] {Files.readAllBytes(HOSTILE.resolve("truncated.jpg")), "CORRUPT"});
            images.put(
                    "html-named.jpg",
                    new Object[] {Files.readAllBytes(HOSTILE.resolve("html-named.jpg")), "UNKNOWN_FORMAT"});
            images.put(
                    "png-50000x50000.png",
                    new Object[] {Files.readAllBytes(HOSTILE.resolve("png-50000x50000.png")), "TOO_MANY_PIXELS"});
            images.put(
                    "png-bomb-20000x20000.png",
                    new Object[] {Files.readAllBytes(HOSTILE.resolve("png-bomb-20000x20000.png")), "TOO_MANY_PIXELS"});
            images.put("over-size-limit", new Object[] {new byte[600_000], "TOO_LARGE"});
            images.forEach((key, spec) -> {
                inputs.put(key, event(format, eventsTopic, key, (byte[]) spec[0]));
                expected.put(key, (String) spec[1]);
            });
            inputs.put("not-avro", "{\"eventId\": \"json\"}".getBytes());
            expected.put("not-avro", "NOT_AVRO");
            inputs.put("unknown-schema-id", new byte[] {0, 0, 0, 0x7a, 0x12, 2, 'x'});
            expected.put("unknown-schema-id", "UNKNOWN_SCHEMA_ID");
            byte[] good = inputs.get("valid.jpg");
            inputs.put("malformed-avro", Arrays.copyOf(good, 9));
            expected.put("malformed-avro", "MALFORMED_AVRO");
            int otherId = registry.register(
                    "other-value",
                    SchemaBuilder.record("Other").fields().requiredInt("n").endRecord());
            inputs.put("incompatible-schema", new byte[] {0, 0, 0, 0, (byte) otherId, 2});
            expected.put("incompatible-schema", "INCOMPATIBLE_SCHEMA");
            inputs.put(
                    "reference",
                    format.write(
                            eventsTopic + "-value",
                            ImageEvent.newBuilder()
                                    .setEventId("reference")
                                    .setOccurredAt(Instant.now())
                                    .setSource("t")
                                    .setImage(new ImageReference("https://169.254.169.254/latest/meta-data", null))
                                    .build()));
            expected.put("reference", "REFERENCE_NOT_ALLOWED");
            inputs.put(
                    "missing-event-id",
                    event(
                            format,
                            eventsTopic,
                            "",
                            good.length > 0 ? Files.readAllBytes(HOSTILE.resolve("valid.jpg")) : good));
            expected.put("missing-event-id", "MISSING_EVENT_ID");
            inputs.put("null-value", null);
            expected.put("null-value", "NULL_VALUE");
            inputs.put(
                    "last-valid.jpg",
                    event(format, eventsTopic, "last-valid.jpg", Files.readAllBytes(HOSTILE.resolve("valid.jpg"))));
            expected.put("last-valid.jpg", "TAGGED");
            assertThat(inputs).hasSizeGreaterThanOrEqualTo(21);

            try (ClipStreamApp app = ClipStreamApp.start(config);
                    LabelSetPublisher publisher = new LabelSetPublisher(
                            broker.bootstrapServers(),
                            Map.of(),
                            registry,
                            config.topic(ClipStreamConfig.TOPIC_LABEL_SETS))) {
                publisher.publish(labels);
                app.awaitRunning(Duration.ofSeconds(60));
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                                8_000_000),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
                    int sent = 0;
                    for (Map.Entry<String, byte[]> input : inputs.entrySet()) {
                        producer.send(
                                new ProducerRecord<>(eventsTopic, input.getKey().getBytes(), input.getValue()));
                        if (++sent == inputs.size() / 2) {
                            producer.flush();
                            LabelSet foreign = LabelSet.newBuilder(labels)
                                    .setVersion("2")
                                    .setModelFingerprint("sha256:another-model")
                                    .build();
                            publisher.publish(foreign);
                        }
                    }
                }
                Map<String, String> outcome = collect(broker, config, registry, inputs.size());
                assertThat(outcome).containsExactlyInAnyOrderEntriesOf(expected);
                long tagged = outcome.values().stream().filter("TAGGED"::equals).count();
                System.out.printf(
                        "hostile inputs: %d in = %d tagged + %d dead letters; reasons %s%n",
                        inputs.size(), tagged, inputs.size() - tagged, new TreeMap<>(outcome));
                assertThat(app.metrics().count("clipstream.label.sets.refused")).isEqualTo(1);
            }
        } finally {
            InMemorySchemaRegistry.drop(scope);
        }
    }

    private static byte[] event(AvroWireFormat<ImageEvent> format, String topic, String id, byte[] image) {
        return format.write(
                topic + "-value",
                ImageEvent.newBuilder()
                        .setEventId(id)
                        .setOccurredAt(Instant.now())
                        .setSource("hostile")
                        .setImage(new InlineImage(ByteBuffer.wrap(image)))
                        .build());
    }

    /** Each input key's outcome: TAGGED (every tag names label-set version 1) or its dead-letter reason. */
    private static Map<String, String> collect(
            EmbeddedKafkaBroker broker, ClipStreamConfig config, InMemorySchemaRegistry registry, int expected) {
        Map<String, Object> props = broker.committedReaderConfig("verify");
        String tagsTopic = config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS);
        var tags = AvroSerdes.serde(ImageTags.class, ImageTags.getClassSchema(), registry, false, false);
        Map<String, String> outcome = new TreeMap<>();
        int records = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(tagsTopic, config.topic(ClipStreamConfig.TOPIC_DEAD_LETTERS)));
            long deadline = System.currentTimeMillis() + 120_000;
            long settle = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, settle)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    records++;
                    if (record.topic().equals(tagsTopic)) {
                        ImageTags t = tags.deserializer().deserialize(tagsTopic, record.value());
                        assertThat(t.getLabelSetVersion()).isEqualTo("1");
                        outcome.put(t.getEventId(), "TAGGED");
                    } else {
                        outcome.put(
                                new String(record.key()),
                                DeadLetterRecords.header(record.headers(), DeadLetterRecords.HEADER_REASON));
                    }
                }
                if (records >= expected && settle == Long.MAX_VALUE) {
                    settle = System.currentTimeMillis() + 1_500;
                }
            }
        }
        assertThat(records).as("one result per input, none twice").isEqualTo(expected);
        return outcome;
    }
}
