package io.clipstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.labels.TestLabelSets;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.RegistrySettings;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.registry.SchemaRegistryClients;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.LabelSetMode;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Severity;
import io.clipstream.testing.ApicurioRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shadow version on the real broker and registry, beside the live version of the same set: the live topic holds
 * only the live version's flags, the shadow topic the shadow version's, for every event.
 */
class ShadowVersionIT {

    private static EmbeddedKafkaBroker broker;
    private static ApicurioRegistry apicurio;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startInfrastructure() {
        broker = EmbeddedKafkaBroker.builder().build().start();
        apicurio = ApicurioRegistry.shared();
    }

    @AfterAll
    static void stopInfrastructure() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Version 2 in shadow: fires "shadow-only" on every image (the live version 1 fires "always"). */
    private static LabelSet shadow() {
        return TestLabelSets.alwaysFiring(
                        "it", "2", "sha256:integration-test", "shadow-only", PolicyAction.BLOCK, Severity.HIGH)
                .setCompiledAt(Instant.now())
                .setMode(LabelSetMode.SHADOW)
                .build();
    }

    private static List<PolicyFlag> flags(String topic, SchemaRegistryClient registry, int expected) {
        List<PolicyFlag> out = new ArrayList<>();
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "verify-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed");
        try (KafkaConsumer<String, PolicyFlag> consumer = new KafkaConsumer<>(
                props,
                new StringDeserializer(),
                AvroSerdes.serde(PolicyFlag.class, PolicyFlag.getClassSchema(), registry, false, false)
                        .deserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            long settle = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, settle)) {
                for (ConsumerRecord<String, PolicyFlag> record : consumer.poll(Duration.ofMillis(200))) {
                    out.add(record.value());
                }
                if (out.size() >= expected && settle == Long.MAX_VALUE) {
                    settle = System.currentTimeMillis() + 1_500;
                }
            }
        }
        return out;
    }

    @Test
    void aShadowVersionNeverProducesALiveFlag() throws Exception {
        int events = 60;
        SchemaRegistryClient registry = SchemaRegistryClients.create(RegistrySettings.of(apicurio.ccompatUrl()));
        EndToEndScenario.RunResult r = new EndToEndScenario(broker.bootstrapServers(), apicurio.ccompatUrl(), dir)
                .run("shadow", 1, 1, events, false, app -> {
                    try (LabelSetPublisher publisher =
                            new LabelSetPublisher(broker.bootstrapServers(), Map.of(), registry, "shadow.label-sets")) {
                        publisher.publish(shadow());
                    }
                    long deadline = System.currentTimeMillis() + 30_000;
                    while (app.labelSets().shadowSnapshot().isEmpty() && System.currentTimeMillis() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(app.labelSets().shadowSnapshot()).hasSize(1);
                });
        assertThat(r.tags()).as("live ImageTags: one per event, version 1 only").isEqualTo(events);
        assertThat(r.versions()).containsExactly("1");
        List<PolicyFlag> live = flags("shadow.policy-flags", registry, events);
        assertThat(live)
                .hasSize(events)
                .allMatch(f -> f.getPolicyId().equals("always")
                        && f.getLabelSetVersion().equals("1"));
        List<PolicyFlag> shadow = flags("shadow.policy-flags-shadow", registry, events);
        assertThat(shadow)
                .hasSize(events)
                .allMatch(f -> f.getPolicyId().equals("shadow-only")
                        && f.getLabelSetVersion().equals("2"));
        System.out.printf(
                "shadow IT: %d events, %d live flags (version 1), %d shadow flags (version 2)%n",
                events, live.size(), shadow.size());
    }
}
