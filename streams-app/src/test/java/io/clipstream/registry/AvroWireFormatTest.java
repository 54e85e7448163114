package io.clipstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clipstream.schema.ImageEmbedding;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AvroWireFormatTest {

    private final InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope("wire-format-test");
    private final AvroWireFormat<ImageEmbedding> format =
            new AvroWireFormat<>(ImageEmbedding.class, ImageEmbedding.getClassSchema(), registry, true);

    @AfterEach
    void drop() {
        InMemorySchemaRegistry.drop("wire-format-test");
    }

    private static ImageEmbedding embedding() {
        return ImageEmbedding.newBuilder()
                .setEventId("e1")
                .setModelId("m")
                .setEmbedding(List.of(0.6f, 0.8f))
                .build();
    }

    @Test
    void writesMagicByteSchemaIdAndAvroBodyAndReadsItBack() {
        byte[] bytes = format.write("image-embeddings-value", embedding());
        int id = registry.lookup("image-embeddings-value", ImageEmbedding.getClassSchema());
        assertThat(bytes[0]).isZero();
        assertThat(Arrays.copyOfRange(bytes, 1, 5)).containsExactly(0, 0, 0, id);
        assertThat(format.read(bytes)).isEqualTo(embedding());
    }

    @Test
    void bytesNotInTheWireFormatAreNotAvro() {
        assertThatThrownBy(() -> format.read("{\"json\": true}".getBytes()))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason())
                        .isEqualTo(WireFormatException.Reason.NOT_AVRO))
                .hasMessage("NOT_AVRO: value is not in the Confluent Avro wire format (14 bytes)");
        assertThatThrownBy(() -> format.read(new byte[] {0, 0}))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason())
                        .isEqualTo(WireFormatException.Reason.NOT_AVRO));
    }

    @Test
    void anUnknownSchemaIdIsReported() {
        assertThatThrownBy(() -> format.read(new byte[] {0, 0, 0, 0x7f, 0x7f, 2, 'x'}))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason())
                        .isEqualTo(WireFormatException.Reason.UNKNOWN_SCHEMA_ID))
                .hasMessage("UNKNOWN_SCHEMA_ID: schema id 32639 is not in the registry");
    }

    @Test
    void aTruncatedBodyIsMalformed() {
        byte[] bytes = format.write("t-value", embedding());
        assertThatThrownBy(() -> format.read(Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason())
                        .isEqualTo(WireFormatException.Reason.MALFORMED_AVRO));
    }

    @Test
    void anOlderWriterSchemaIsResolvedAndAnUnrelatedOneRefused() throws Exception {
        Schema older = SchemaBuilder.record("ImageEmbedding")
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
                .requiredString("legacy")
                .endRecord();
        GenericRecord record = new GenericData.Record(older);
        record.put("eventId", "e2");
        record.put("modelId", "m");
        record.put("embedding", List.of(1f));
        record.put("legacy", "dropped");
        int id = registry.register("other-value", older);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(new byte[] {0, 0, 0, 0, (byte) id});
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(older).write(record, encoder);
        encoder.flush();
        ImageEmbedding read = format.read(out.toByteArray());
        assertThat(read.getEventId()).isEqualTo("e2");
        assertThat(read.getEmbedding()).containsExactly(1f);

        Schema unrelated =
                SchemaBuilder.record("Other").fields().requiredInt("n").endRecord();
        int otherId = registry.register("unrelated-value", unrelated);
        assertThatThrownBy(() -> format.read(new byte[] {0, 0, 0, 0, (byte) otherId, 2}))
                .isInstanceOfSatisfying(WireFormatException.class, e -> assertThat(e.reason())
                        .isEqualTo(WireFormatException.Reason.INCOMPATIBLE_SCHEMA));
    }

    @Test
    void serdesUseTheTopicNameSubject() {
        var serde = AvroSerdes.serde(ImageEmbedding.class, ImageEmbedding.getClassSchema(), registry, true, false);
        byte[] bytes = serde.serializer().serialize("image-embeddings", embedding());
        assertThat(registry.lookup("image-embeddings-value", ImageEmbedding.getClassSchema()))
                .isPositive();
        assertThat(serde.deserializer().deserialize("image-embeddings", bytes)).isEqualTo(embedding());
        assertThat(serde.serializer().serialize("image-embeddings", null)).isNull();
    }
}
