package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.labels.AvroJson;
import io.clipstream.registry.SchemaRegistryClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream tail --topic image-tags|policy-flags|dead-letters|…}: prints a topic's records as JSON lines
 * (committed records only). Avro values are decoded with their writer schema from the registry; other values
 * (dead letters) are shown as base64 with their headers.
 */
@Command(name = "tail", mixinStandardHelpOptions = true, description = "Print a topic's records as JSON lines.")
final class TailCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to read.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest record instead of the end.")
    boolean fromBeginning;

    @Option(
            names = "--max",
            paramLabel = "N",
            defaultValue = "0",
            description = "Stop after N records (default: never).")
    long max;

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "Stop after this long without a record (default: never).")
    long idleTimeout;

    @Override
    public Integer call() {
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        Map<String, Object> config = kafka.clientConfig();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "clipstream-tail-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long seen = 0;
        try (SchemaRegistryClient registry = kafka.registry();
                KafkaConsumer<byte[], byte[]> consumer =
                        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long lastRecord = System.nanoTime();
            while (max == 0 || seen < max) {
                var records = consumer.poll(Duration.ofMillis(250));
                if (records.isEmpty()
                        && idleTimeout > 0
                        && System.nanoTime() - lastRecord
                                > Duration.ofSeconds(idleTimeout).toNanos()) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    lastRecord = System.nanoTime();
                    out.write(line(record, registry));
                    if (max > 0 && ++seen >= max) {
                        break;
                    }
                }
            }
        }
        return 0;
    }

    private ObjectNode line(ConsumerRecord<byte[], byte[]> record, SchemaRegistryClient registry) {
        ObjectNode line = new JsonLines(spec.commandLine().getOut())
                .object()
                .put("topic", record.topic())
                .put("partition", record.partition())
                .put("offset", record.offset())
                .put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        byte[] value = record.value();
        GenericRecord decoded = decode(value, registry);
        if (decoded != null) {
            line.set("value", AvroJson.toJson(decoded));
        } else {
            line.put("valueBase64", value == null ? null : Base64.getEncoder().encodeToString(value));
        }
        if (record.headers().toArray().length > 0) {
            ObjectNode headers = line.putObject("headers");
            for (Header header : record.headers()) {
                if (!header.key().equals("__streams.errors.stacktrace")) {
                    headers.put(
                            header.key(),
                            header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return line;
    }

    private static GenericRecord decode(byte[] value, SchemaRegistryClient registry) {
        if (value == null || value.length < 5 || value[0] != 0) {
            return null;
        }
        try {
            Schema schema = registry.getById(ByteBuffer.wrap(value, 1, 4).getInt());
            return new GenericDatumReader<GenericRecord>(schema)
                    .read(null, DecoderFactory.get().binaryDecoder(value, 5, value.length - 5, null));
        } catch (RuntimeException | java.io.IOException e) {
            return null;
        }
    }
}
