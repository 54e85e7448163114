package io.clipstream.cli;

import io.clipstream.app.TopicLimits;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.InlineImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream produce --bootstrap-servers … --schema-registry … --topic … DIR|FILE...}: sends image files as
 * {@code ImageEvent}s (event id = file name, image inline), with progress on stderr and one JSON line per event.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, description = "Send image files as ImageEvent records.")
final class ProduceCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--topic",
            defaultValue = "image-events",
            paramLabel = "TOPIC",
            description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--source",
            defaultValue = "clipstream-produce",
            paramLabel = "NAME",
            description = "The events' source field (default: ${DEFAULT-VALUE}).")
    String source;

    @Option(
            names = "--max-image-bytes",
            paramLabel = "BYTES",
            defaultValue = "20971520",
            description = "Largest image to send, as the processor's image.max.bytes (default: ${DEFAULT-VALUE});"
                    + " sizes the producer's max.request.size.")
    int maxImageBytes;

    @Parameters(arity = "1..*", paramLabel = "DIR|FILE", description = "Image files, or folders of them.")
    List<Path> paths;

    @Override
    public Integer call() throws Exception {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> walk = Files.walk(path)) {
                    walk.filter(Files::isRegularFile)
                            .filter(p -> !p.getFileName().toString().endsWith(".json"))
                            .sorted()
                            .forEach(files::add);
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new IllegalArgumentException(path + " does not exist");
            }
        }
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> config = kafka.clientConfig();
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TopicLimits.recordBytes(maxImageBytes));
        try (SchemaRegistryClient registry = kafka.registry();
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            AvroWireFormat<ImageEvent> format =
                    new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                sent.add(producer.send(
                        new ProducerRecord<>(topic, eventId(file), format.write(topic + "-value", event(file)))));
                if ((i + 1) % 50 == 0 || i + 1 == files.size()) {
                    err.printf("produced %d/%d%n", i + 1, files.size());
                    err.flush();
                }
            }
            producer.flush();
            for (int i = 0; i < files.size(); i++) {
                RecordMetadata meta = sent.get(i).get();
                out.write(out.object()
                        .put("file", files.get(i).toString())
                        .put("eventId", eventId(files.get(i)))
                        .put("topic", meta.topic())
                        .put("partition", meta.partition())
                        .put("offset", meta.offset()));
            }
        }
        return 0;
    }

    private static String eventId(Path file) {
        return file.getFileName().toString();
    }

    private ImageEvent event(Path file) throws IOException {
        return ImageEvent.newBuilder()
                .setEventId(eventId(file))
                .setOccurredAt(Instant.now())
                .setSource(source)
                .setContentType(Files.probeContentType(file))
                .setImage(new InlineImage(ByteBuffer.wrap(Files.readAllBytes(file))))
                .build();
    }
}
