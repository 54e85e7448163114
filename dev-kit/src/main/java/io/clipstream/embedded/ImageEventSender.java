package io.clipstream.embedded;

import io.clipstream.registry.AvroWireFormat;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.InlineImage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends images as inline {@link ImageEvent}s to the events topic, at a given rate, as the demo and the bench do.
 * Idempotent, with requests large enough for any image the processor accepts by default.
 */
public final class ImageEventSender implements AutoCloseable {

    /** One image to send, under {@code eventId} (also the record key). */
    public record Image(String eventId, byte[] bytes) {}

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AvroWireFormat<ImageEvent> format;
    private final String source;

    /**
     * @param source the events' {@code source} field
     */
    public ImageEventSender(String bootstrapServers, String topic, AvroWireFormat<ImageEvent> format, String source) {
        this.producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        32 * 1024 * 1024),
                new StringSerializer(),
                new ByteArraySerializer());
        this.topic = topic;
        this.format = format;
        this.source = source;
    }

    /**
     * Sends {@code images} in order; with {@code eventsPerSecond > 0} the i-th is sent no earlier than i / rate
     * seconds after the first (a schedule, so slow sends do not lower the rate), else as fast as possible.
     */
    public void send(List<Image> images, double eventsPerSecond) throws InterruptedException {
        long start = System.nanoTime();
        for (int i = 0; i < images.size(); i++) {
            if (eventsPerSecond > 0) {
                long wait = start + (long) (i * 1e9 / eventsPerSecond) - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            Image image = images.get(i);
            ImageEvent event = ImageEvent.newBuilder()
                    .setEventId(image.eventId())
                    .setOccurredAt(Instant.now())
                    .setSource(source)
                    .setImage(new InlineImage(ByteBuffer.wrap(image.bytes())))
                    .build();
            producer.send(new ProducerRecord<>(topic, image.eventId(), format.write(topic + "-value", event)));
        }
    }

    /** Sends a raw value (not an event), for showing what happens to one. */
    public void sendRaw(String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    @Override
    public void close() {
        producer.close();
    }
}
