package io.clipstream.registry;

import io.clipstream.schema.GeneratedClasses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Confluent's wire format for one record class: magic byte 0, the writer schema's 4-byte big-endian registry id,
 * then the Avro binary body. Writes register the class's schema under the subject ({@code <topic>-value} or
 * {@code -key}) once; reads fetch the writer schema by id and resolve it to the class's schema.
 *
 * @param <T> the generated record class
 */
public final class AvroWireFormat<T extends SpecificRecord> {

    private static final byte MAGIC = 0;

    private final Class<T> type;
    private final Schema schema;
    private final SchemaRegistryClient registry;
    private final boolean autoRegister;
    private final Map<String, Integer> idsBySubject = new ConcurrentHashMap<>();
    private final Map<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();
    private final SpecificDatumWriter<T> writer;

    /**
     * @param autoRegister register the schema on first write (true), or only look it up (false: the subject must
     *     be registered by a deployment step)
     */
    public AvroWireFormat(Class<T> type, Schema schema, SchemaRegistryClient registry, boolean autoRegister) {
        GeneratedClasses.trust();
        this.type = type;
        this.schema = schema;
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.writer = new SpecificDatumWriter<>(schema);
    }

    /** The record class. */
    public Class<T> type() {
        return type;
    }

    /** Serialises {@code record} for {@code subject}. */
    public byte[] write(String subject, T record) {
        int id = idsBySubject.computeIfAbsent(
                subject, s -> autoRegister ? registry.register(s, schema) : registry.lookup(s, schema));
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC);
        out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /**
     * Reads bytes written by any Confluent-compatible Avro serializer with a schema readable as {@code T}.
     *
     * @throws WireFormatException with the reason it cannot be read
     */
    public T read(byte[] bytes) {
        if (bytes == null || bytes.length < 5 || bytes[0] != MAGIC) {
            throw new WireFormatException(
                    WireFormatException.Reason.NOT_AVRO,
                    "value is not in the Confluent Avro" + " wire format ("
                            + (bytes == null ? "null" : bytes.length + " bytes") + ")",
                    null);
        }
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        DatumReader<T> reader = readers.computeIfAbsent(id, this::readerFor);
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, null));
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new WireFormatException(
                    WireFormatException.Reason.MALFORMED_AVRO,
                    "Avro body of schema " + id + " cannot be decoded: " + e.getMessage(),
                    e);
        }
    }

    private DatumReader<T> readerFor(int id) {
        Schema writerSchema;
        try {
            writerSchema = registry.getById(id);
        } catch (SchemaRegistryException e) {
            if (e.status() == 404) {
                throw new WireFormatException(
                        WireFormatException.Reason.UNKNOWN_SCHEMA_ID, "schema id " + id + " is not in the registry", e);
            }
            throw e;
        }
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(schema, writerSchema);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new WireFormatException(
                    WireFormatException.Reason.INCOMPATIBLE_SCHEMA,
                    "schema " + id + " ("
                            + writerSchema.getFullName() + ") cannot be read as " + schema.getFullName() + ": "
                            + compatibility.getDescription(),
                    null);
        }
        return new SpecificDatumReader<>(writerSchema, schema);
    }
}
