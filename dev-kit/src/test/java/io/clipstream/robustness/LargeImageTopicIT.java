package io.clipstream.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.cli.ClipstreamCommand;
import io.clipstream.clip.ModelFolder;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.labels.LabelSetCompiler;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.registry.RegistryHttpServer;
import io.clipstream.schema.ImageTags;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Topics fit the images: the broker's default limit is about 1 MB, yet a 5 MB JPEG (well under image.max.bytes) goes
 * through {@code produce} and {@code run}, because the topics the processor creates and the producers are sized from
 * image.max.bytes; an existing topic with a smaller limit is reported at start-up with both numbers.
 */
class LargeImageTopicIT {

    private static final Path MODEL = Path.of("..", "models", "tiny-shapes");

    @TempDir
    Path dir;

    private final String scope = "large-" + System.nanoTime();
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

    /** A JPEG of noise, at least 5 MB. */
    private static byte[] fiveMegabyteJpeg() throws Exception {
        Random random = new Random(11);
        for (int side = 1600; ; side += 200) {
            BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_3BYTE_BGR);
            byte[] data = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
            random.nextBytes(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(image, null, null), param);
            }
            writer.dispose();
            if (out.size() >= 5_000_000) {
                return out.toByteArray();
            }
        }
    }

    private ChildProcessor processor(String name) {
        Map<String, String> s = new HashMap<>();
        s.put("application.id", "large-" + name);
        s.put("bootstrap.servers", broker.bootstrapServers());
        s.put("schema.registry.url", registryServer.url());
        s.put("model.dir", MODEL.toAbsolutePath().toString());
        s.put("state.dir", dir.resolve("state-" + name).toString());
        s.put("topic.partitions", "1");
        s.put("decode.threads", "1");
        s.put("inference.intra.op.threads", "1");
        return new ChildProcessor(dir.resolve(name), name, s);
    }

    @Test
    void aFiveMegabyteJpegGoesThroughProduceAndRun() throws Exception {
        byte[] jpeg = fiveMegabyteJpeg();
        Path file = dir.resolve("large.jpg");
        Files.write(file, jpeg);
        try (ChildProcessor app = processor("run")) {
            app.start();
            app.awaitReady(Duration.ofSeconds(90));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cli = ClipstreamCommand.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            int exit = cli.execute(
                    "produce",
                    "--bootstrap-servers",
                    broker.bootstrapServers(),
                    "--schema-registry",
                    registryServer.url(),
                    "--topic",
                    "image-events",
                    file.toString());
            System.out.printf(
                    "produce of a %d-byte JPEG: exit %d, %s%n",
                    jpeg.length, exit, out.toString().strip());
            assertThat(exit).as(err.toString()).isZero();
            assertThat(taggedIds(Duration.ofSeconds(90))).containsExactly("large.jpg");
            assertThat(Files.readString(app.log())).doesNotContain("accepts records of at most");
            app.stop();
        }
    }

    @Test
    void anExistingTopicWithASmallerLimitIsReportedWithBothNumbers() throws Exception {
        broker.createTopic("image-events", 1, Map.of("max.message.bytes", "1048588"));
        try (ChildProcessor app = processor("warn")) {
            app.start();
            app.awaitReady(Duration.ofSeconds(90));
            assertThat(Files.readString(app.log()))
                    .contains("Topic image-events accepts records of at most 1048588"
                            + " bytes (max.message.bytes), but image.max.bytes=20971520 needs 21495808 bytes");
            app.stop();
        }
    }

    private List<String> taggedIds(Duration timeout) {
        List<String> ids = new java.util.ArrayList<>();
        try (KafkaConsumer<String, ImageTags> consumer = new KafkaConsumer<>(
                broker.committedReaderConfig("large-" + System.nanoTime()),
                new StringDeserializer(),
                AvroSerdes.serde(ImageTags.class, ImageTags.getClassSchema(), registry, false, false)
                        .deserializer())) {
            consumer.subscribe(List.of("image-tags"));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (ids.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ImageTags> r : consumer.poll(Duration.ofMillis(300))) {
                    ids.add(r.value().getEventId());
                }
            }
        }
        return ids;
    }
}
