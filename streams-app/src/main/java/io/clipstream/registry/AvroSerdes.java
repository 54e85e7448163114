package io.clipstream.registry;

import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serdes over {@link AvroWireFormat}, with Confluent's topic-name subject strategy. */
public final class AvroSerdes {

    private AvroSerdes() {}

    /**
     * A serde for values (subject {@code <topic>-value}) or keys ({@code <topic>-key}) of record class {@code type}.
     */
    public static <T extends SpecificRecord> Serde<T> serde(
            Class<T> type, Schema schema, SchemaRegistryClient registry, boolean autoRegister, boolean isKey) {
        AvroWireFormat<T> format = new AvroWireFormat<>(type, schema, registry, autoRegister);
        String suffix = isKey ? "-key" : "-value";
        Serializer<T> serializer = (topic, record) -> record == null ? null : format.write(topic + suffix, record);
        Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : format.read(bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
