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
import io.clipstream.topology.DeadLetterRecords;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The poison pill of issue 11: 49-megapixel 7000x7000 PNGs (under the default image.max.pixels, under 1 MB on the
 * wire) sent to a processor with {@code -Xmx320m}, interleaved with small images, several in one batch and all on
 * one partition. Every event must end as a result or a dead letter, every small one must be tagged, the heap stays
 * within its limit and no stream thread is replaced.
 */
class PoisonPillIT {

    private static final Path MODEL = Path.of("..", "models", "tiny-shapes");
    private static final int SIDE = 7000;

    @TempDir
    Path dir;

    private final String scope = "poison-" + System.nanoTime();
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
        broker.createTopic("image-events", 1, Map.of("max.message.bytes", Integer.toString(8 * 1024 * 1024)));
        try (LabelSetPublisher publisher =
                new LabelSetPublisher(broker.bootstrapServers(), Map.of(), registry, "label-sets")) {
            publisher.publish(LabelSetCompiler.compileFor(
                    ModelFolder.open(MODEL), LabelSetParser.parse(Path.of("..", "label-sets", "tiny-shapes.yaml"))));
        }
    }

    @AfterEach
    void stop() {
        registryServer.close();
        broker.close();
        InMemorySchemaRegistry.drop(scope);
    }

    /** A 7000x7000 PNG of colour blocks (compresses to about 1 MB); {@code alpha} makes it RGBA. */
    private static byte[] hugePng(boolean alpha) throws Exception {
        BufferedImage image =
                new BufferedImage(SIDE, SIDE, alpha ? BufferedImage.TYPE_4BYTE_ABGR : BufferedImage.TYPE_3BYTE_BGR);
        byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        int channels = alpha ? 4 : 3;
        for (int y = 0; y < SIDE; y++) {
            int row = y * SIDE * channels;
            for (int x = 0; x < SIDE; x++) {
                int p = row + x * channels;
                data[p] = (byte) 255;
                data[p + channels - 3] = (byte) (x >> 7);
                data[p + channels - 2] = (byte) (y >> 7);
                data[p + channels - 1] = (byte) ((x >> 9) * 40);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void hugeImagesUnderA320MbHeapEndAsResultsOrDeadLettersAndNothingBehindThemStalls() throws Exception {
        byte[] rgb = hugePng(false);
        byte[] rgba = hugePng(true);
        List<byte[]> small = new ArrayList<>();
        try (var files = Files.list(MODEL.resolve("demo-images"))) {
            for (Path p : files.filter(p -> p.toString().endsWith(".png"))
                    .sorted()
                    .limit(8)
                    .toList()) {
                small.add(Files.readAllBytes(p));
            }
        }
        // one partition, batches of 8: the huge ones come several to a batch, the small ones in between and behind
        List<String> ids = new ArrayList<>();
        List<byte[]> images = new ArrayList<>();
        String[] plan = {
            "s", "H", "s", "H", "A", "s", "H", "s", "s", "A", "H", "s", "s", "s", "s", "s", "s", "s", "s", "s", "s",
            "s", "s", "s"
        };
        for (int i = 0; i < plan.length; i++) {
            String kind = plan[i];
            ids.add(kind.equals("s") ? "small-" + i : (kind.equals("H") ? "huge-rgb-" : "huge-rgba-") + i);
            images.add(kind.equals("s") ? small.get(i % small.size()) : kind.equals("H") ? rgb : rgba);
        }
        System.out.printf(
                "poison pill: %d events, %d x 7000x7000 RGB PNG of %d bytes, %d x RGBA PNG of %d bytes%n",
                plan.length, count(plan, "H"), rgb.length, count(plan, "A"), rgba.length);
        Map<String, String> s = new HashMap<>();
        s.put("application.id", "poison-test");
        s.put("bootstrap.servers", broker.bootstrapServers());
        s.put("schema.registry.url", registryServer.url());
        s.put("model.dir", MODEL.toAbsolutePath().toString());
        s.put("state.dir", dir.resolve("state").toString());
        s.put("topic.partitions", "1");
        s.put("batch.max.size", "8");
        s.put("batch.max.delay.ms", "50");
        s.put("decode.threads", "2");
        s.put("inference.intra.op.threads", "1");
        try (ChildProcessor app = new ChildProcessor(dir.resolve("app"), "app", s).maxHeap("320m")) {
            app.start();
            app.awaitReady(Duration.ofSeconds(90));
            AvroWireFormat<ImageEvent> format =
                    new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                            8 * 1024 * 1024,
                            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                            true),
                    new StringSerializer(),
                    new ByteArraySerializer())) {
                List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    sent.add(producer.send(new ProducerRecord<>(
                            "image-events",
                            0,
                            ids.get(i),
                            format.write(
                                    "image-events-value",
                                    ImageEvent.newBuilder()
                                            .setEventId(ids.get(i))
                                            .setOccurredAt(Instant.now())
                                            .setSource("poison")
                                            .setImage(new InlineImage(ByteBuffer.wrap(images.get(i))))
                                            .build()))));
                }
                for (var future : sent) {
                    future.get();
                }
            }
            long[] maxHeap = {0};
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    maxHeap[0] = Math.max(maxHeap[0], ChildProcessor.heapUsed(app.httpPort()));
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            Map<String, String> outcome = outcomes(ids.size(), Duration.ofMinutes(3));
            sampler.interrupt();
            sampler.join();
            Map<String, Integer> byOutcome = new TreeMap<>();
            outcome.forEach((id, o) -> byOutcome.merge(id.replaceAll("-\\d+$", "") + " -> " + o, 1, Integer::sum));
            System.out.printf(
                    "poison pill under -Xmx320m: outcomes %s; peak heap in use %.1f MB; health %s%n",
                    byOutcome, maxHeap[0] / 1e6, app.health());
            assertThat(outcome.keySet())
                    .as("every event ends as a result or a dead letter")
                    .containsExactlyInAnyOrderElementsOf(ids);
            ids.stream()
                    .filter(id -> id.startsWith("small-"))
                    .forEach(id -> assertThat(outcome.get(id)).as(id).isEqualTo("tagged"));
            // RGB: 147 MB decoded in place fits the 162 MB budget, one at a time; RGBA: 196 MB raster plus its
            // premultiplied copy cannot fit even alone, so it is refused from its header, before decoding
            ids.stream()
                    .filter(id -> id.startsWith("huge-rgb-"))
                    .forEach(id -> assertThat(outcome.get(id)).as(id).isEqualTo("tagged"));
            ids.stream()
                    .filter(id -> id.startsWith("huge-rgba-"))
                    .forEach(id -> assertThat(outcome.get(id)).as(id).isEqualTo("dead:OVER_MEMORY_BUDGET"));
            assertThat(maxHeap[0]).isPositive().isLessThan(320L * 1024 * 1024);
            String log = Files.readString(app.log());
            assertThat(log).doesNotContain("Stream thread failed");
            assertThat(app.health()).isEqualTo(200);
            app.stop();
        }
    }

    private static long count(String[] plan, String kind) {
        return java.util.Arrays.stream(plan).filter(kind::equals).count();
    }

    /** Event id → "tagged" or "dead:REASON", read_committed, until {@code count} ids or the timeout. */
    private Map<String, String> outcomes(int count, Duration timeout) {
        Map<String, String> outcome = new HashMap<>();
        try (KafkaConsumer<String, ImageTags> tags = new KafkaConsumer<>(
                        broker.committedReaderConfig("poison-tags-" + System.nanoTime()),
                        new StringDeserializer(),
                        AvroSerdes.serde(ImageTags.class, ImageTags.getClassSchema(), registry, false, false)
                                .deserializer());
                KafkaConsumer<byte[], byte[]> dead = new KafkaConsumer<>(
                        broker.committedReaderConfig("poison-dead-" + System.nanoTime()),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            tags.subscribe(List.of("image-tags"));
            dead.subscribe(List.of("dead-letters"));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (outcome.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ImageTags> r : tags.poll(Duration.ofMillis(200))) {
                    outcome.merge(r.value().getEventId(), "tagged", (a, b) -> a + "+" + b);
                }
                for (ConsumerRecord<byte[], byte[]> r : dead.poll(Duration.ofMillis(200))) {
                    String reason = DeadLetterRecords.header(r.headers(), DeadLetterRecords.HEADER_REASON);
                    System.out.printf(
                            "dead letter %s: %s: %s%n",
                            new String(r.key()),
                            reason,
                            DeadLetterRecords.header(r.headers(), DeadLetterRecords.HEADER_MESSAGE));
                    outcome.merge(new String(r.key()), "dead:" + reason, (a, b) -> a + "+" + b);
                }
            }
        }
        return outcome;
    }
}
