package io.clipstream.cli;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.labels.ActiveLabelSets;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.rescore.LabelSetTopicReader;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.LabelSetMode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels promote NAME --version V --config FILE}: makes the shadow version V of a label set live.
 * It is published under the set's name with {@code mode: LIVE} (replacing the live version at the next flush of
 * every instance), then the shadow key is tombstoned, so the set is never scored without a live version.
 */
@Command(
        name = "promote",
        mixinStandardHelpOptions = true,
        description = "Make a shadow version of a label set live (and stop its shadow scoring).")
final class LabelsPromoteCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Parameters(index = "0", paramLabel = "NAME", description = "The label set's name.")
    String name;

    @Option(
            names = "--version",
            required = true,
            paramLabel = "V",
            description = "The shadow version to promote (must be the one in shadow now).")
    String version;

    @Override
    public Integer call() {
        String topic = kafka.processorConfig().topic(ClipStreamConfig.TOPIC_LABEL_SETS);
        try (SchemaRegistryClient registry = kafka.registry()) {
            Map<String, LabelSet> sets = LabelSetTopicReader.read(kafka.clientConfig(), registry, topic);
            LabelSet shadow = sets.get(ActiveLabelSets.shadowKey(name));
            if (shadow == null) {
                throw new IllegalArgumentException("label set " + name + " has no shadow version on " + topic
                        + (sets.containsKey(name)
                                ? " (live version " + sets.get(name).getVersion() + ")"
                                : ""));
            }
            if (!shadow.getVersion().equals(version)) {
                throw new IllegalArgumentException(
                        "the shadow version of label set " + name + " is " + shadow.getVersion() + ", not " + version);
            }
            LabelSet live =
                    LabelSet.newBuilder(shadow).setMode(LabelSetMode.LIVE).build();
            try (LabelSetPublisher publisher =
                    new LabelSetPublisher(kafka.bootstrapServers(), kafka.clientSettings(), registry, topic)) {
                long offset = publisher.publish(live);
                publisher.delete(ActiveLabelSets.shadowKey(name));
                JsonLines out = new JsonLines(spec.commandLine().getOut());
                out.write(out.object()
                        .put("labelSet", name)
                        .put("promoted", version)
                        .put("replaced", sets.containsKey(name) ? sets.get(name).getVersion() : null)
                        .put("topic", topic)
                        .put("offset", offset));
            }
        }
        return 0;
    }
}
