package io.clipstream.cli;

import io.clipstream.banks.BankTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clipstream banks ...}: known-content banks on the compacted banks topic. */
@Command(
        name = "banks",
        mixinStandardHelpOptions = true,
        description = "Manage known-content banks (PDQ hashes and CLIP embeddings of known images) and match images"
                + " against them.",
        subcommands = {
            BanksConfigureCommand.class,
            BanksAddCommand.class,
            BanksImportCommand.class,
            BanksRemoveCommand.class,
            BanksListCommand.class,
            BanksExportCommand.class,
            BanksMatchCommand.class,
            BanksBenchCommand.class
        })
final class BanksCommand implements Runnable {

    static {
        // the commands build Avro records whose defaults include enums of io.clipstream.schema
        io.clipstream.schema.GeneratedClasses.trust();
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the banks topic is: Kafka, the registry and the topic name. */
    static final class TopicOptions {
        @Mixin
        KafkaOptions kafka;

        @Option(
                names = "--topic",
                defaultValue = BankTopic.DEFAULT_TOPIC,
                paramLabel = "TOPIC",
                description = "Banks topic (default: ${DEFAULT-VALUE}).")
        String topic;

        BankTopic open(io.clipstream.registry.SchemaRegistryClient registry) {
            return new BankTopic(kafka.clientConfig(), registry, topic);
        }
    }
}
