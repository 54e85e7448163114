package io.clipstream.rescore;

import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.registry.WireFormatException;
import io.clipstream.schema.GeneratedClasses;
import io.clipstream.schema.ImageEmbedding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads ImageEmbedding values (Confluent wire format) straight into a {@code float[]}: Avro's generated reader
 * boxes each of the 512 floats into a {@link Float} list, which made reading the embeddings topic cost more than
 * re-scoring it. Writer schemas whose fields are exactly those this reader knows (eventId, modelId, embedding, then
 * optionally source and attributes, in that order and of those types) are read directly; any other writer schema
 * falls back to Avro's own schema resolution, so the result is always what {@link ImageEmbedding} would say.
 */
final class EmbeddingDecoder implements Deserializer<StoredEmbedding> {

    private final SchemaRegistryClient registry;
    private final Map<Integer, Boolean> direct = new ConcurrentHashMap<>();
    private final Map<Integer, SpecificDatumReader<ImageEmbedding>> readers = new ConcurrentHashMap<>();

    EmbeddingDecoder(SchemaRegistryClient registry) {
        this.registry = registry;
        GeneratedClasses.trust();
    }

    /** The decoded value with partition, offset and timestamp left 0 (the reader fills them in). */
    @Override
    public StoredEmbedding deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        if (data.length < 5 || buffer.get() != 0) {
            throw new WireFormatException(
                    WireFormatException.Reason.NOT_AVRO, "not Confluent wire format (no magic byte 0)", null);
        }
        int id = buffer.getInt();
        Schema writer = registry.getById(id);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, 5, data.length - 5, null);
        try {
            if (direct.computeIfAbsent(id, i -> knownLayout(writer))) {
                return readDirect(decoder, writer.getFields().size());
            }
            ImageEmbedding e = readers.computeIfAbsent(
                            id, i -> new SpecificDatumReader<>(writer, ImageEmbedding.getClassSchema()))
                    .read(null, decoder);
            return EmbeddingReader.stored(e);
        } catch (IOException | RuntimeException e) {
            throw new WireFormatException(
                    WireFormatException.Reason.MALFORMED_AVRO,
                    "cannot read ImageEmbedding with schema " + id + ": " + e.getMessage(),
                    e);
        }
    }

    private static boolean knownLayout(Schema writer) {
        var fields = writer.getFields();
        if (fields.size() != 3 && fields.size() != 5) {
            return false;
        }
        boolean ok = fields.get(0).name().equals("eventId")
                && fields.get(0).schema().getType() == Schema.Type.STRING
                && fields.get(1).name().equals("modelId")
                && fields.get(1).schema().getType() == Schema.Type.STRING
                && fields.get(2).name().equals("embedding")
                && fields.get(2).schema().getType() == Schema.Type.ARRAY
                && fields.get(2).schema().getElementType().getType() == Schema.Type.FLOAT;
        if (ok && fields.size() == 5) {
            Schema source = fields.get(3).schema();
            Schema attributes = fields.get(4).schema();
            ok = fields.get(3).name().equals("source")
                    && source.getType() == Schema.Type.UNION
                    && source.getTypes().size() == 2
                    && source.getTypes().get(0).getType() == Schema.Type.NULL
                    && source.getTypes().get(1).getType() == Schema.Type.STRING
                    && fields.get(4).name().equals("attributes")
                    && attributes.getType() == Schema.Type.MAP
                    && attributes.getValueType().getType() == Schema.Type.STRING;
        }
        return ok;
    }

    private static StoredEmbedding readDirect(BinaryDecoder in, int fieldCount) throws IOException {
        String eventId = in.readString();
        String modelId = in.readString();
        float[] vector = new float[0];
        int size = 0;
        for (long block = in.readArrayStart(); block != 0; block = in.arrayNext()) {
            if (size + block > vector.length) {
                vector = java.util.Arrays.copyOf(vector, (int) (size + block));
            }
            for (long i = 0; i < block; i++) {
                vector[size++] = in.readFloat();
            }
        }
        String source = null;
        Map<String, String> attributes = new HashMap<>();
        if (fieldCount == 5) {
            if (in.readIndex() == 1) {
                source = in.readString();
            }
            for (long block = in.readMapStart(); block != 0; block = in.mapNext()) {
                for (long i = 0; i < block; i++) {
                    attributes.put(in.readString(), in.readString());
                }
            }
        }
        return new StoredEmbedding(eventId, source, attributes, vector, 0, 0, 0, modelId);
    }
}
