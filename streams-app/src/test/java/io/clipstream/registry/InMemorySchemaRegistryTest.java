package io.clipstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InMemorySchemaRegistryTest {

    private static final Schema V1 =
            SchemaBuilder.record("R").fields().requiredString("a").endRecord();
    private static final Schema V2 = SchemaBuilder.record("R")
            .fields()
            .requiredString("a")
            .name("b")
            .type()
            .stringType()
            .stringDefault("x")
            .endRecord();
    private static final Schema BREAKING =
            SchemaBuilder.record("R").fields().requiredInt("c").endRecord();

    @AfterEach
    void drop() {
        InMemorySchemaRegistry.drop("registry-test");
    }

    @Test
    void registrationIsIdempotentAndScopesAreShared() {
        InMemorySchemaRegistry a = InMemorySchemaRegistry.scope("registry-test");
        int id = a.register("s-value", V1);
        assertThat(a.register("s-value", V1)).isEqualTo(id);
        SchemaRegistryClient viaSettings = SchemaRegistryClients.create(RegistrySettings.of("mock://registry-test"));
        assertThat(viaSettings.getById(id)).isEqualTo(V1);
        assertThat(viaSettings.lookup("s-value", V1)).isEqualTo(id);
    }

    @Test
    void backwardCompatibleEvolutionIsAcceptedAndBreakingChangesRefused() {
        InMemorySchemaRegistry r = InMemorySchemaRegistry.scope("registry-test");
        r.register("s-value", V1);
        assertThat(r.isCompatible("s-value", V2)).isTrue();
        assertThat(r.isCompatible("s-value", BREAKING)).isFalse();
        assertThat(r.isCompatible("new-subject", BREAKING)).isTrue();
        assertThatThrownBy(() -> r.register("s-value", BREAKING))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(409));
        assertThatThrownBy(() -> r.lookup("missing", V1))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.errorCode())
                        .isEqualTo(40401));
    }

    @Test
    void settingsNeverShowSecrets() {
        RegistrySettings settings = new RegistrySettings(
                java.util.List.of(java.net.URI.create("https://r:8081")),
                "user:hunter2",
                null,
                null,
                "storepass",
                null);
        assertThat(settings.toString())
                .doesNotContain("hunter2")
                .doesNotContain("storepass")
                .contains("basic");
    }
}
