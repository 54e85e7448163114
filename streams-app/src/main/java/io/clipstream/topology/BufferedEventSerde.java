package io.clipstream.topology;

import io.clipstream.schema.GeneratedClasses;
import io.clipstream.schema.internal.BufferedEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The buffer store's value format: a version byte then the {@link BufferedEvent} as Avro binary. The version byte
 * lets a later release read changelogs written by this one.
 */
final class BufferedEventSerde implements Serde<BufferedEvent> {

    private static final byte VERSION = 1;

    private final SpecificDatumWriter<BufferedEvent> writer = new SpecificDatumWriter<>(BufferedEvent.class);
    private final SpecificDatumReader<BufferedEvent> reader;

    BufferedEventSerde() {
        GeneratedClasses.trust();
        reader = new SpecificDatumReader<>(BufferedEvent.class);
    }

    @Override
    public Serializer<BufferedEvent> serializer() {
        return (topic, event) -> {
            if (event == null) {
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(event.getValue().remaining() + 64);
            out.write(VERSION);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            try {
                synchronized (writer) {
                    writer.write(event, encoder);
                }
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        };
    }

    @Override
    public Deserializer<BufferedEvent> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes[0] != VERSION) {
                throw new IllegalStateException("buffered event of unknown format version " + bytes[0]);
            }
            try {
                synchronized (reader) {
                    return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
