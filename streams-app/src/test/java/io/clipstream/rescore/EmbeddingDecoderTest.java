package io.clipstream.rescore;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.ImageEmbedding;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The direct float[] decoder says exactly what Avro's generated reader says, for every writer schema. */
class EmbeddingDecoderTest {

    private final String scope = "decoder-" + System.nanoTime();
    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
    private final float[] vector = {0.1f, -0.25f, Float.MIN_VALUE, -0.0f, 1e-30f, 0.5f};

    @AfterEach
    void drop() {
        InMemorySchemaRegistry.drop(scope);
    }

    private List<Float> boxed() {
        List<Float> out = new ArrayList<>();
        for (float v : vector) {
            out.add(v);
        }
        return out;
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    @Test
    void theCurrentSchemaIsReadDirectlyWithEveryField() {
        byte[] bytes = new AvroWireFormat<>(ImageEmbedding.class, ImageEmbedding.getClassSchema(), registry, true)
                .write(
                        "image-embeddings-value",
                        ImageEmbedding.newBuilder()
                                .setEventId("e1")
                                .setModelId("m")
                                .setEmbedding(boxed())
                                .setSource("uploads")
                                .setAttributes(Map.of("surface", "kids"))
                                .build());
        StoredEmbedding e = new EmbeddingDecoder(registry).deserialize("image-embeddings", bytes);
        assertThat(e.eventId()).isEqualTo("e1");
        assertThat(e.modelId()).isEqualTo("m");
        assertThat(e.source()).isEqualTo("uploads");
        assertThat(e.attributes()).isEqualTo(Map.of("surface", "kids"));
        assertThat(bits(e.embedding())).isEqualTo(bits(vector));
    }

    private byte[] written(Schema schema, GenericRecord record) throws Exception {
        int id = registry.register("image-embeddings-value", schema);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    @Test
    void recordsWrittenBeforeSourcesWereKeptHaveNoneAndAnOtherLayoutIsResolvedByAvro() throws Exception {
        Schema released = SchemaBuilder.record("ImageEmbedding")
                .namespace("io.clipstream.schema")
                .fields()
                .requiredString("eventId")
                .requiredString("modelId")
                .name("embedding")
                .type()
                .array()
                .items()
                .floatType()
                .noDefault()
                .endRecord();
        GenericRecord old = new GenericData.Record(released);
        old.put("eventId", "e0");
        old.put("modelId", "m");
        old.put("embedding", boxed());
        StoredEmbedding e = new EmbeddingDecoder(registry).deserialize("t", written(released, old));
        assertThat(e.eventId()).isEqualTo("e0");
        assertThat(e.source()).isNull();
        assertThat(e.attributes()).isEmpty();
        assertThat(bits(e.embedding())).isEqualTo(bits(vector));

        Schema reordered = SchemaBuilder.record("ImageEmbedding")
                .namespace("io.clipstream.schema")
                .fields()
                .name("embedding")
                .type()
                .array()
                .items()
                .floatType()
                .noDefault()
                .requiredString("modelId")
                .requiredString("eventId")
                .optionalString("source")
                .endRecord();
        GenericRecord other = new GenericData.Record(reordered);
        other.put("eventId", "e2");
        other.put("modelId", "m2");
        other.put("embedding", boxed());
        other.put("source", "avatars");
        StoredEmbedding r = new EmbeddingDecoder(registry).deserialize("t", written(reordered, other));
        assertThat(r.eventId()).isEqualTo("e2");
        assertThat(r.modelId()).isEqualTo("m2");
        assertThat(r.source()).isEqualTo("avatars");
        assertThat(bits(r.embedding())).isEqualTo(bits(vector));
    }
}
