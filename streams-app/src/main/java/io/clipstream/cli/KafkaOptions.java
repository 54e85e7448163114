package io.clipstream.cli;

import io.clipstream.registry.RegistrySettings;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.registry.SchemaRegistryClients;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where Kafka and the schema registry are, for the commands that talk to a cluster. */
final class KafkaOptions {

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka.")
    String bootstrapServers;

    @Option(names = "--schema-registry", required = true, paramLabel = "URL",
            description = "Schema registry URL(s), comma-separated.")
    String schemaRegistry;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka client setting (SASL, SSL, ...); repeatable.")
    Map<String, String> kafkaProperties = new HashMap<>();

    SchemaRegistryClient registry() {
        return SchemaRegistryClients.create(RegistrySettings.of(schemaRegistry));
    }

    Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>(kafkaProperties);
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }
}
