package io.clipstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.clip.TestModels;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.labels.TestLabelSets;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.RegistrySettings;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.registry.SchemaRegistryClients;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Severity;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The end-to-end scenario shared by the embedded-broker IT and the Testcontainers IT: start the processor on the
 * given Kafka and registry, publish a label set, produce image events, read tags and flags with
 * {@code read_committed}, and measure throughput, p99 latency and batch sizes.
 *
 * <p>Extra settings (the four-argument constructor) are added to the processor's configuration; those starting with
 * {@code kafka.} (SASL, SSL) also configure, without the prefix, the scenario's own clients: the label-set
 * publisher, the event producer and the verifying consumers. A {@code mock://} registry URL uses the in-memory
 * registry shared with the processor.
 */
public final class EndToEndScenario {

    private static final String FINGERPRINT = "sha256:integration-test";

    private final String bootstrapServers;
    private final String registryUrl;
    private final Path dir;
    private final Map<String, String> extraSettings;
    private final Map<String, String> clientSettings;

    EndToEndScenario(String bootstrapServers, String registryUrl, Path dir) {
        this(bootstrapServers, registryUrl, dir, Map.of());
    }

    /** @param extraSettings added to (and overriding) the processor's settings; {@code kafka.*} also for clients */
    public EndToEndScenario(String bootstrapServers, String registryUrl, Path dir, Map<String, String> extraSettings) {
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.dir = dir;
        this.extraSettings = Map.copyOf(extraSettings);
        Map<String, String> clients = new HashMap<>();
        extraSettings.forEach((key, value) -> {
            if (key.startsWith(ClipStreamConfig.KAFKA_PREFIX)) {
                clients.put(key.substring(ClipStreamConfig.KAFKA_PREFIX.length()), value);
            }
        });
        this.clientSettings = Map.copyOf(clients);
    }

    /** Something to check on the running processor, once it is ready and before events are produced. */
    @FunctionalInterface
    public interface WhileRunning {
        void check(ClipStreamApp app) throws Exception;
    }

    public record RunResult(
            int tags,
            int flags,
            Set<String> versions,
            List<String> versionsInOrder,
            double eventsPerSecond,
            long p99Ms,
            double meanBatch,
            double maxBatch) {}

    private static LabelSet labelSet(String version) {
        return TestLabelSets.alwaysFiring("it", version, FINGERPRINT, "always", PolicyAction.REVIEW, Severity.LOW)
                .setCompiledAt(Instant.now())
                .build();
    }

    RunResult run(String name, int partitions, int threads, int events, boolean hotUpdate) throws Exception {
        return run(name, partitions, threads, events, hotUpdate, app -> {});
    }

    /** {@link #run(String, int, int, int, boolean)}, calling {@code whileRunning} once the processor is ready. */
    public RunResult run(
            String name, int partitions, int threads, int events, boolean hotUpdate, WhileRunning whileRunning)
            throws Exception {
        String prefix = name + ".";
        Map<String, String> settings = new HashMap<>();
        settings.put("application.id", "clipstream-" + name);
        settings.put("bootstrap.servers", bootstrapServers);
        settings.put("schema.registry.url", registryUrl);
        settings.put("topic.prefix", prefix);
        settings.put("topic.partitions", Integer.toString(partitions));
        settings.put("num.stream.threads", Integer.toString(threads));
        settings.put(
                "model.dir",
                TestModels.copy("tiny-vit-openclip", dir.resolve(name)).toString());
        settings.put("model.fingerprint", FINGERPRINT);
        settings.put("state.dir", dir.resolve(name + "-state").toString());
        settings.put("http.port", "0");
        settings.put("http.host", "127.0.0.1");
        settings.put("batch.max.size", "8");
        settings.put("batch.max.delay.ms", "20");
        settings.put("inference.intra.op.threads", "1");
        settings.put("decode.threads", "2");
        settings.putAll(extraSettings);
        ClipStreamConfig config = ClipStreamConfig.of(settings);
        SchemaRegistryClient registry = SchemaRegistryClients.create(RegistrySettings.of(registryUrl));
        try (ClipStreamApp app = ClipStreamApp.start(config);
                LabelSetPublisher publisher = new LabelSetPublisher(
                        bootstrapServers, clientSettings, registry, config.topic(ClipStreamConfig.TOPIC_LABEL_SETS))) {
            publisher.publish(labelSet("1"));
            app.awaitRunning(Duration.ofSeconds(60));
            long readyDeadline = System.currentTimeMillis() + 30_000;
            while (app.labelSets().snapshot().isEmpty() && System.currentTimeMillis() < readyDeadline) {
                Thread.sleep(20);
            }
            assertThat(httpStatus(app.httpPort(), "/ready")).isEqualTo(200);
            assertThat(httpStatus(app.httpPort(), "/health")).isEqualTo(200);
            whileRunning.check(app);

            byte[][] images = {
                Files.readAllBytes(TestModels.committed("reference-images").resolve("astronaut.jpg")),
                Files.readAllBytes(TestModels.committed("reference-images").resolve("coffee-portrait.jpg")),
            };
            AvroWireFormat<ImageEvent> format =
                    new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
            String eventsTopic = config.topic(ClipStreamConfig.TOPIC_IMAGE_EVENTS);
            long start = System.nanoTime();
            Map<String, Object> producerConfig = new HashMap<>(clientSettings);
            producerConfig.putAll(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrapServers,
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                    true,
                    ProducerConfig.LINGER_MS_CONFIG,
                    5));
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    producerConfig,
                    new StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                for (int i = 0; i < events; i++) {
                    if (hotUpdate && i == events / 2) {
                        producer.flush();
                        long deadline = System.currentTimeMillis() + 60_000;
                        while (app.metrics().count("clipstream.tags.out") < events / 2
                                && System.currentTimeMillis() < deadline) {
                            Thread.sleep(20);
                        }
                        publisher.publish(labelSet("2"));
                    }
                    ImageEvent event = ImageEvent.newBuilder()
                            .setEventId("e" + i)
                            .setOccurredAt(Instant.now())
                            .setSource("it")
                            .setImage(new InlineImage(ByteBuffer.wrap(images[i % 2])))
                            .build();
                    producer.send(
                            new ProducerRecord<>(eventsTopic, "k" + i, format.write(eventsTopic + "-value", event)));
                }
            }
            List<ImageTags> tags = consume(
                    config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS),
                    ImageTags.class,
                    ImageTags.getClassSchema(),
                    registry,
                    events);
            double seconds = (System.nanoTime() - start) / 1e9;
            List<PolicyFlag> flags = consume(
                    config.topic(ClipStreamConfig.TOPIC_POLICY_FLAGS),
                    PolicyFlag.class,
                    PolicyFlag.getClassSchema(),
                    registry,
                    events);
            Set<String> ids = new HashSet<>();
            Set<String> versions = new HashSet<>();
            List<Long> latencies = new ArrayList<>();
            List<String> inOrder = new ArrayList<>();
            for (ImageTags t : tags) {
                inOrder.add(t.getLabelSetVersion());
                ids.add(t.getEventId());
                versions.add(t.getLabelSetVersion());
                latencies.add(t.getTimings().getEndToEndMs());
            }
            assertThat(ids).as("one ImageTags per event, none twice").hasSize(events);
            Collections.sort(latencies);
            long p99 = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
            var batch = app.metrics()
                    .registry()
                    .find("clipstream.inference.batch.size")
                    .summary();
            RunResult result = new RunResult(
                    tags.size(), flags.size(), versions, inOrder, events / seconds, p99, batch.mean(), batch.max());
            System.out.printf(
                    "IT %s: %d partitions, %d threads: %d events -> %d tags, %d flags in %.2f s:"
                            + " %.1f events/s, p99 end-to-end %d ms, inference batch mean %.2f max %.0f%n",
                    name,
                    partitions,
                    threads,
                    events,
                    tags.size(),
                    flags.size(),
                    seconds,
                    result.eventsPerSecond(),
                    p99,
                    result.meanBatch(),
                    result.maxBatch());
            return result;
        }
    }

    private static int httpStatus(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private <T extends org.apache.avro.specific.SpecificRecord> List<T> consume(
            String topic, Class<T> type, org.apache.avro.Schema schema, SchemaRegistryClient registry, int expected) {
        Map<String, Object> props = new HashMap<>(clientSettings);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "verify-" + topic + "-" + System.nanoTime());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> out = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(
                props,
                new StringDeserializer(),
                AvroSerdes.serde(type, schema, registry, false, false).deserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 120_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(200))) {
                    out.add(record.value());
                }
            }
            // anything beyond the expected count would be a duplicate: keep reading briefly to catch it
            long settle = System.currentTimeMillis() + 1_500;
            while (System.currentTimeMillis() < settle) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> out.add(r.value()));
            }
        }
        return out;
    }
}
