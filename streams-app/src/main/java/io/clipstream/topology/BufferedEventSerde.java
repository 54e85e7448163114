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
 * lets a later release read changelogs written by this one: version 1 (no attempt count) is read with its own
 * writer schema and resolved to the current one, whose new fields take their defaults.
 */
final class BufferedEventSerde implements Serde<BufferedEvent> {

    private static final byte VERSION = 2;
    private static final byte VERSION_1 = 1;
    /** The fields version 2 added to the released record. */
    private static final java.util.Set<String> ADDED_IN_2 =
            java.util.Set.of("attempts", "failureStage", "failureReason", "failureMessage");

    private final SpecificDatumWriter<BufferedEvent> writer = new SpecificDatumWriter<>(BufferedEvent.class);
    private final SpecificDatumReader<BufferedEvent> reader;
    private final SpecificDatumReader<BufferedEvent> version1Reader;

    BufferedEventSerde() {
        GeneratedClasses.trust();
        reader = new SpecificDatumReader<>(BufferedEvent.class);
        version1Reader = new SpecificDatumReader<>(version1Schema(), BufferedEvent.getClassSchema());
    }

    /** The released (version 1) writer schema: the current one without the fields added since. */
    static org.apache.avro.Schema version1Schema() {
        org.apache.avro.Schema current = BufferedEvent.getClassSchema();
        java.util.List<org.apache.avro.Schema.Field> fields = new java.util.ArrayList<>();
        for (org.apache.avro.Schema.Field f : current.getFields()) {
            if (!ADDED_IN_2.contains(f.name())) {
                fields.add(new org.apache.avro.Schema.Field(f, f.schema()));
            }
        }
        return org.apache.avro.Schema.createRecord(
                current.getName(), current.getDoc(), current.getNamespace(), false, fields);
    }

    @Override
    public Serializer<BufferedEvent> serializer() {
        return (topic, event) -> {
            if (event == null) {
                return null;
            }
            ByteArrayOutputStream out =
                    new ByteArrayOutputStream(event.getValue().remaining() + 64);
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
            if (bytes[0] != VERSION && bytes[0] != VERSION_1) {
                throw new IllegalStateException("buffered event of unknown format version " + bytes[0]);
            }
            SpecificDatumReader<BufferedEvent> r = bytes[0] == VERSION ? reader : version1Reader;
            try {
                synchronized (r) {
                    return r.read(null, DecoderFactory.get().binaryDecoder(bytes, 1, bytes.length - 1, null));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
