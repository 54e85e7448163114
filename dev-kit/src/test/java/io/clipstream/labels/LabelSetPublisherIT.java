package io.clipstream.labels;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** A large label set (1,000 labels × 768 dimensions, ~3 MB, over Kafka's 1 MB default) published and read back. */
class LabelSetPublisherIT {

    private static LabelSet large() {
        Random random = new Random(1);
        List<CompiledLabel> labels = new ArrayList<>();
        for (int l = 0; l < 1000; l++) {
            float[] v = new float[768];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
            io.clipstream.clip.Embeddings.l2Normalize(v);
            List<Float> boxed = new ArrayList<>(768);
            for (float x : v) {
                boxed.add(x);
            }
            labels.add(CompiledLabel.newBuilder()
                    .setId("big.l" + l)
                    .setDisplayName("label " + l)
                    .setGroup("g")
                    .setThreshold(0.25f)
                    .setEmbedding(boxed)
                    .build());
        }
        return LabelSet.newBuilder()
                .setName("big")
                .setVersion("1")
                .setModelId("vit-l-14")
                .setModelFingerprint("sha256:x")
                .setDimension(768)
                .setGroups(List.of(LabelGroup.newBuilder()
                        .setName("g")
                        .setScoring(GroupScoring.THRESHOLD)
                        .build()))
                .setLabels(labels)
                .setPolicies(List.of())
                .setCompiledAt(Instant.ofEpochMilli(1))
                .build();
    }

    @Test
    void aThreeMegabyteSetGoesThroughACompactedTopic() throws Exception {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope("publisher-it");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
                LabelSetPublisher publisher =
                        new LabelSetPublisher(broker.bootstrapServers(), Map.of(), registry, "label-sets")) {
            LabelSet set = large();
            byte[] serialized = AvroSerdes.serde(LabelSet.class, LabelSet.getClassSchema(), registry, true, false)
                    .serializer()
                    .serialize("label-sets", set);
            System.out.printf("1,000 x 768 label set: %d bytes serialised%n", serialized.length);
            assertThat(serialized.length).isGreaterThan(3_000_000);
            assertThat(publisher.publish(set)).isZero();

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                var config = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "label-sets")))
                        .all()
                        .get()
                        .values()
                        .iterator()
                        .next();
                assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
                assertThat(config.get("max.message.bytes").value()).isEqualTo("67108864");
            }
            try (KafkaConsumer<String, LabelSet> consumer = new KafkaConsumer<>(
                    Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            ConsumerConfig.GROUP_ID_CONFIG,
                            "verify",
                            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                            "earliest"),
                    new StringDeserializer(),
                    AvroSerdes.serde(LabelSet.class, LabelSet.getClassSchema(), registry, false, false)
                            .deserializer())) {
                consumer.subscribe(List.of("label-sets"));
                LabelSet read = null;
                long deadline = System.currentTimeMillis() + 30_000;
                while (read == null && System.currentTimeMillis() < deadline) {
                    ConsumerRecords<String, LabelSet> records = consumer.poll(Duration.ofMillis(500));
                    for (var record : records) {
                        assertThat(record.key()).isEqualTo("big");
                        read = record.value();
                    }
                }
                assertThat(read).isEqualTo(set);
                float[][] image = {new float[768]};
                image[0][0] = 1f;
                assertThat(CompiledLabelSet.of(read).cosines(image)).hasSize(1000);
            }
        } finally {
            InMemorySchemaRegistry.drop("publisher-it");
        }
    }
}
