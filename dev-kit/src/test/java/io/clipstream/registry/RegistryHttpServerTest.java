package io.clipstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** The in-memory registry served over the Confluent REST API, driven by the project's own REST client. */
class RegistryHttpServerTest {

    @Test
    void speaksTheConfluentApiToTheRestClient() throws Exception {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope("http-server-test");
        Schema v1 = SchemaBuilder.record("R").fields().requiredString("a").endRecord();
        Schema breaking = SchemaBuilder.record("R").fields().requiredInt("b").endRecord();
        try (RegistryHttpServer server = new RegistryHttpServer(registry)) {
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(RegistrySettings.of(server.url()));
            int id = client.register("t-value", v1);
            assertThat(registry.getById(id)).isEqualTo(v1);
            assertThat(new RestSchemaRegistryClient(RegistrySettings.of(server.url())).getById(id))
                    .isEqualTo(v1);
            assertThat(new RestSchemaRegistryClient(RegistrySettings.of(server.url())).lookup("t-value", v1))
                    .isEqualTo(id);
            assertThat(client.isCompatible("t-value", breaking)).isFalse();
            assertThatThrownBy(() -> client.getById(999))
                    .isInstanceOfSatisfying(SchemaRegistryException.class, e -> assertThat(e.status())
                            .isEqualTo(404));
        } finally {
            InMemorySchemaRegistry.drop("http-server-test");
        }
    }
}
