package io.clipstream.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.clip.ModelFolder;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.labels.LabelSetCompiler;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.registry.RegistryHttpServer;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelSet;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes and restarts with the processor in child JVMs: SIGKILL during a run, a broker restart, and two instances
 * of which one dies. In every case the read_committed output holds exactly one ImageTags per input event.
 */
class CrashRecoveryIT {

    private static final Path MODEL = Path.of("..", "models", "tiny-shapes");

    @TempDir
    Path dir;

    private final String scope = "crash-" + System.nanoTime();
    private InMemorySchemaRegistry registry;
    private EmbeddedKafkaBroker broker;
    private RegistryHttpServer registryServer;

    @BeforeEach
    void start() throws Exception {
        registry = InMemorySchemaRegistry.scope(scope);
        broker = EmbeddedKafkaBroker.builder()
                .logDir(dir.resolve("kafka"))
                .build()
                .start();
        registryServer = new RegistryHttpServer(registry);
        broker.createTopic("image-events", 4, Map.of());
        ModelFolder folder = ModelFolder.open(MODEL);
        LabelSet labels = LabelSetCompiler.compileFor(
                folder, LabelSetParser.parse(Path.of("..", "label-sets", "tiny-shapes.yaml")));
        try (LabelSetPublisher publisher =
                new LabelSetPublisher(broker.bootstrapServers(), Map.of(), registry, "label-sets")) {
            publisher.publish(labels);
        }
    }

    @AfterEach
    void stop() {
        registryServer.close();
        broker.close();
        InMemorySchemaRegistry.drop(scope);
    }

    private Map<String, String> settings(String name) {
        Map<String, String> s = new HashMap<>();
        s.put("application.id", "crash-test");
        s.put("bootstrap.servers", broker.bootstrapServers());
        s.put("schema.registry.url", registryServer.url());
        s.put("model.dir", MODEL.toAbsolutePath().toString());
        s.put("state.dir", dir.resolve("state-" + name).toString());
        s.put("topic.partitions", "4");
        s.put("batch.max.size", "16");
        s.put("batch.max.delay.ms", "50");
        s.put("decode.threads", "2");
        s.put("inference.intra.op.threads", "1");
        s.put("kafka.session.timeout.ms", "6000");
        s.put("kafka.heartbeat.interval.ms", "1000");
        return s;
    }

    private void produce(int count) throws Exception {
        Path images = MODEL.resolve("demo-images");
        List<Path> files;
        try (var list = Files.list(images)) {
            files = list.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        byte[][] bytes = new byte[files.size()][];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = Files.readAllBytes(files.get(i));
        }
        AvroWireFormat<ImageEvent> format =
                new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        20),
                new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String id = "e" + i;
                producer.send(new ProducerRecord<>(
                        "image-events",
                        id,
                        format.write(
                                "image-events-value",
                                ImageEvent.newBuilder()
                                        .setEventId(id)
                                        .setOccurredAt(Instant.now())
                                        .setSource("crash")
                                        .setImage(new InlineImage(ByteBuffer.wrap(bytes[i % bytes.length])))
                                        .build())));
            }
        }
    }

    /** Reads image-tags (read_committed) until {@code count} records or the timeout; returns id → occurrences. */
    private Map<String, Integer> results(int count, Duration timeout) {
        Map<String, Object> props = broker.committedReaderConfig("verify-" + System.nanoTime());
        Map<String, Integer> seen = new HashMap<>();
        int records = 0;
        try (KafkaConsumer<String, ImageTags> consumer = new KafkaConsumer<>(
                props,
                new StringDeserializer(),
                AvroSerdes.serde(ImageTags.class, ImageTags.getClassSchema(), registry, false, false)
                        .deserializer())) {
            consumer.subscribe(List.of("image-tags"));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (ConsumerRecord<String, ImageTags> record : consumer.poll(Duration.ofMillis(300))) {
                    seen.merge(record.value().getEventId(), 1, Integer::sum);
                    records++;
                }
                if (records >= count && settle == Long.MAX_VALUE) {
                    settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                }
            }
        }
        return seen;
    }

    private static void assertExactlyOnce(Map<String, Integer> seen, int count, String what) {
        long duplicates = seen.values().stream().filter(n -> n > 1).count();
        long missing = count - seen.size();
        System.out.printf(
                "%s: %d events -> %d distinct results, %d duplicated, %d missing%n",
                what, count, seen.size(), duplicates, missing);
        assertThat(duplicates).as("duplicates").isZero();
        assertThat(missing).as("missing").isZero();
    }

    @Test
    void killedFiveTimesWithSigkillNothingIsLostOrDuplicated() throws Exception {
        int events = 5000;
        produce(events);
        Random random = new Random(5);
        try (ChildProcessor app = new ChildProcessor(dir.resolve("app"), "app", settings("a"))) {
            for (int kill = 1; kill <= 5; kill++) {
                app.start();
                app.awaitReady(Duration.ofSeconds(90));
                Thread.sleep(1000 + random.nextInt(3000));
                app.kill();
                System.out.printf("kill -9 number %d done%n", kill);
            }
            app.start();
            assertExactlyOnce(results(events, Duration.ofMinutes(6)), events, "5 x kill -9");
            app.stop();
        }
    }

    @Test
    void aBrokerRestartDuringTheRunLosesNothing() throws Exception {
        int events = 1000;
        produce(events);
        try (ChildProcessor app = new ChildProcessor(dir.resolve("app"), "app", settings("b"))) {
            app.start();
            app.awaitReady(Duration.ofSeconds(90));
            Thread.sleep(2000);
            broker.restart();
            System.out.println("broker restarted");
            assertExactlyOnce(results(events, Duration.ofMinutes(4)), events, "broker restart");
            app.stop();
        }
    }

    @Test
    void aBurstOfAThousandLargeImagesStaysWithinTheConfiguredHeap() throws Exception {
        int events = 1000;
        byte[] large = Files.readAllBytes(
                Path.of("..", "streams-app", "src", "test", "resources", "images", "jpeg_large_1920x1080.jpg"));
        try (ChildProcessor app =
                new ChildProcessor(dir.resolve("burst"), "burst", settings("burst")).maxHeap("256m")) {
            app.start();
            app.awaitReady(Duration.ofSeconds(90));
            AvroWireFormat<ImageEvent> format =
                    new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                            true,
                            ProducerConfig.LINGER_MS_CONFIG,
                            20),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; i < events; i++) {
                    producer.send(new ProducerRecord<>(
                            "image-events",
                            "big" + i,
                            format.write(
                                    "image-events-value",
                                    ImageEvent.newBuilder()
                                            .setEventId("big" + i)
                                            .setOccurredAt(Instant.now())
                                            .setSource("burst")
                                            .setImage(new InlineImage(ByteBuffer.wrap(large)))
                                            .build())));
                }
            }
            long[] maxHeap = {0};
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxHeap[0] = Math.max(maxHeap[0], heapUsed(app.httpPort()));
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            Map<String, Integer> seen = results(events, Duration.ofMinutes(5));
            sampler.interrupt();
            sampler.join();
            // the burst (1,000 x 273 KB = 273 MB of images) is larger than the whole heap: only bounded queues
            // and back-pressure let it through without an OutOfMemoryError
            System.out.printf(
                    "burst: 1,000 x %d-byte 1920x1080 JPEGs (%.0f MB) under -Xmx256m: peak heap in use"
                            + " %.1f MB (garbage included), no OutOfMemoryError%n",
                    large.length, events * large.length / 1e6, maxHeap[0] / 1e6);
            assertThat((long) events * large.length).isGreaterThan(256L * 1024 * 1024);
            assertExactlyOnce(seen, events, "burst of 1,000 large images");
            assertThat(maxHeap[0]).isPositive().isLessThan(256L * 1024 * 1024);
            assertThat(Files.readString(app.log())).doesNotContain("OutOfMemoryError");
            app.stop();
        }
    }

    private static String scrape(int port) {
        try {
            return java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            return "";
        }
    }

    /** The child's heap in use (garbage included), from its Prometheus endpoint. */
    private static long heapUsed(int port) {
        long total = 0;
        for (String line : scrape(port).split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /**
     * Seconds from the start of an instance restarted after kill -9, while events keep arriving, to the first result
     * committed after its start; with the default session timeout of 45 s.
     */
    private double resumeSeconds(String name, String instanceId) throws Exception {
        Map<String, String> s = settings(name);
        s.put("application.id", "resume-" + name);
        // an input topic per run, so that no backlog of another run is in the measurement
        String input = "events-" + name;
        s.put("topic.image.events", input);
        s.remove("kafka.session.timeout.ms");
        s.remove("kafka.heartbeat.interval.ms");
        if (instanceId != null) {
            s.put("instance.id", instanceId);
        }
        AvroWireFormat<ImageEvent> format =
                new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
        byte[] image = Files.readAllBytes(MODEL.resolve("demo-images").resolve("000.png"));
        java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong lastResultNanos = new java.util.concurrent.atomic.AtomicLong();
        Thread producer = new Thread(() -> {
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                            true),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                for (int i = 0; producing.get(); i++) {
                    String id = name + "-" + i;
                    p.send(new ProducerRecord<>(
                            input,
                            id,
                            format.write(
                                    input + "-value",
                                    ImageEvent.newBuilder()
                                            .setEventId(id)
                                            .setOccurredAt(Instant.now())
                                            .setSource("resume")
                                            .setImage(new InlineImage(ByteBuffer.wrap(image)))
                                            .build())));
                    Thread.sleep(25);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, ImageTags> consumer = new KafkaConsumer<>(
                    broker.committedReaderConfig("resume-" + System.nanoTime()),
                    new StringDeserializer(),
                    AvroSerdes.serde(ImageTags.class, ImageTags.getClassSchema(), registry, false, false)
                            .deserializer())) {
                consumer.subscribe(List.of("image-tags"));
                while (!Thread.currentThread().isInterrupted()) {
                    for (ConsumerRecord<String, ImageTags> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.key().startsWith(name + "-")) {
                            lastResultNanos.set(System.nanoTime());
                        }
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                // stopped
            }
        });
        try (ChildProcessor app = new ChildProcessor(dir.resolve(name), name, s)) {
            app.start();
            app.awaitReady(Duration.ofSeconds(90));
            producer.start();
            reader.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lastResultNanos.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(2000);
            app.kill();
            long restart = System.nanoTime();
            app.start();
            deadline = restart + Duration.ofSeconds(120).toNanos();
            while (lastResultNanos.get() < restart && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            producing.set(false);
            producer.join();
            reader.interrupt();
            reader.join();
            app.stop();
            return lastResultNanos.get() < restart ? Double.NaN : (lastResultNanos.get() - restart) / 1e9;
        }
    }

    @Test
    void aRestartedInstanceResumesWithoutWaitingForTheSessionTimeout() throws Exception {
        broker.createTopic("image-tags", 4, Map.of());
        double dynamic = resumeSeconds("dynamic", null);
        double fixed = resumeSeconds("static", "static-0");
        System.out.printf(
                "first result after kill -9 and restart (events arriving throughout, session timeout"
                        + " 45 s): dynamic membership %.1f s, static membership (instance.id) %.1f s; %.1fx faster; goal of"
                        + " 10 s %s (load average %.1f on %d cores)%n",
                dynamic,
                fixed,
                dynamic / fixed,
                fixed < 10.0 ? "met" : "NOT met",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
        // the mechanism, measured in one run: the restarted static member does not wait out the dead member's
        // session (45 s) as a dynamic one does; the absolute figure depends on the machine and is printed
        assertThat(dynamic)
                .as("dynamic membership waits for the session timeout")
                .isGreaterThan(40.0);
        assertThat(fixed).as("static membership resumes without waiting for it").isLessThan(dynamic / 3);
    }

    @Test
    void whenOneOfTwoInstancesDiesTheOtherTakesOverItsPartitions() throws Exception {
        int events = 2000;
        try (ChildProcessor first = new ChildProcessor(dir.resolve("first"), "first", settings("first"));
                ChildProcessor second = new ChildProcessor(dir.resolve("second"), "second", settings("second"))) {
            first.start();
            second.start();
            first.awaitReady(Duration.ofSeconds(90));
            second.awaitReady(Duration.ofSeconds(90));
            produce(events);
            Thread.sleep(3000);
            first.kill();
            System.out.println("first instance killed");
            assertExactlyOnce(results(events, Duration.ofMinutes(4)), events, "two instances, one killed");
            second.stop();
        }
    }
}
