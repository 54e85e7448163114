package io.clipstream.cli;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.registry.RegistrySettings;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.registry.SchemaRegistryClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where Kafka and the schema registry are, for the commands that talk to a cluster: from the options, else from
 * the processor's configuration ({@code --config FILE} and {@code CLIPSTREAM_*} variables), which also carries
 * Kafka security settings and registry credentials without putting them on the command line.
 */
final class KafkaOptions {

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "Kafka (default: bootstrap.servers from --config / CLIPSTREAM_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(
            names = "--schema-registry",
            paramLabel = "URL",
            description = "Schema registry URL(s), comma-separated (default: schema.registry.url from the"
                    + " configuration).")
    String schemaRegistry;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "The processor's properties file: kafka.* settings and registry credentials are used.")
    Path configFile;

    @Option(
            names = "--kafka-property",
            paramLabel = "KEY=VALUE",
            description = "Extra Kafka client setting; repeatable (prefer --config for secrets).")
    Map<String, String> kafkaProperties = new HashMap<>();

    private ClipStreamConfig config;

    private ClipStreamConfig config() {
        if (config == null) {
            try {
                config = ClipStreamConfig.from(ConfigCommand.load(configFile), System.getenv());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return config;
    }

    /** The processor's configuration (topic names and prefix), from --config and the environment. */
    ClipStreamConfig processorConfig() {
        return config();
    }

    String bootstrapServers() {
        return bootstrapServers != null
                ? bootstrapServers
                : String.join(",", config().getList(ClipStreamConfig.BOOTSTRAP_SERVERS));
    }

    SchemaRegistryClient registry() {
        RegistrySettings settings =
                schemaRegistry != null ? RegistrySettings.of(schemaRegistry) : config().registrySettings();
        return SchemaRegistryClients.create(settings);
    }

    /** Kafka client settings: the configuration's kafka.* settings, then --kafka-property, then the servers. */
    Map<String, Object> clientConfig() {
        Map<String, Object> client = new HashMap<>(clientSettings());
        client.put("bootstrap.servers", bootstrapServers());
        return client;
    }

    /** The configuration's kafka.* settings overridden by --kafka-property (no servers). */
    Map<String, String> clientSettings() {
        Map<String, String> client = new HashMap<>(config().kafkaSettings());
        client.putAll(kafkaProperties);
        return client;
    }
}
