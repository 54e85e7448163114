package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.schema.internal.BufferedEvent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

/** The buffer store's value format keeps the attempt count, and still reads changelogs of the released version. */
class BufferedEventSerdeTest {

    private final BufferedEventSerde serde = new BufferedEventSerde();

    @Test
    void theAttemptCountAndLastFailureSurviveTheChangelog() {
        BufferedEvent event = BufferedEvent.newBuilder()
                .setKey(ByteBuffer.wrap(new byte[] {1}))
                .setValue(ByteBuffer.wrap(new byte[] {2, 3}))
                .setTopic("t")
                .setPartition(3)
                .setOffset(42)
                .setTimestamp(7)
                .setArrivedAt(8)
                .setAttempts(2)
                .setFailureStage("PREPROCESS")
                .setFailureReason("RESOURCE_EXHAUSTED")
                .setFailureMessage("OutOfMemoryError: Java heap space")
                .build();
        byte[] bytes = serde.serializer().serialize("changelog", event);
        assertThat(bytes[0]).isEqualTo((byte) 2);
        BufferedEvent read = serde.deserializer().deserialize("changelog", bytes);
        assertThat(read).isEqualTo(event);
        assertThat(read.getAttempts()).isEqualTo(2);
    }

    @Test
    void aChangelogRecordOfTheReleasedVersionReadsWithNoAttemptsYet() throws Exception {
        Schema released = new Schema.Parser()
                .parse(Path.of("..", "schemas", "src", "test", "resources", "released", "BufferedEvent.avsc")
                        .toFile());
        GenericRecord old = new GenericData.Record(released);
        old.put("key", null);
        old.put("value", ByteBuffer.wrap(new byte[] {9, 9}));
        old.put("topic", "image-events");
        old.put("partition", 1);
        old.put("offset", 5L);
        old.put("timestamp", 6L);
        old.put("arrivedAt", 7L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(released).write(old, encoder);
        encoder.flush();
        BufferedEvent read = serde.deserializer().deserialize("changelog", out.toByteArray());
        assertThat(read.getTopic()).isEqualTo("image-events");
        assertThat(read.getOffset()).isEqualTo(5L);
        assertThat(read.getArrivedAt()).isEqualTo(7L);
        assertThat(read.getAttempts()).isZero();
        assertThat(read.getFailureReason()).isNull();
    }
}
