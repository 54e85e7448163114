package io.clipstream.cli;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.rescore.Backfill;
import io.clipstream.rescore.EmbeddingRange;
import io.clipstream.rescore.EmbeddingReader;
import io.clipstream.rescore.LabelSetTopicReader;
import io.clipstream.rescore.StoredEmbedding;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.PolicyFlag;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels backfill --labels NAME --since 7d --config FILE}: emits ImageTags and PolicyFlags for past
 * events from the embeddings retained on the image-embeddings topic, scored with the live version of NAME and marked
 * {@code backfill=true}, exactly once and resumable (see {@link Backfill}). Run it again after a crash: it continues.
 */
@Command(
        name = "backfill",
        mixinStandardHelpOptions = true,
        description = "Emit tags and flags for past events from their stored embeddings with the live version of a"
                + " label set, marked backfill; exactly once, resumes after a crash.")
final class LabelsBackfillCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(
            names = "--labels",
            required = true,
            paramLabel = "NAME",
            description = "The label set (its live version on the label-set topic).")
    String name;

    @ArgGroup(exclusive = true)
    LabelsImpactCommand.RangeOptions range = new LabelsImpactCommand.RangeOptions();

    @Override
    public Integer call() {
        ClipStreamConfig config = kafka.processorConfig();
        try (SchemaRegistryClient registry = kafka.registry()) {
            LabelSet live = LabelSetTopicReader.get(
                            kafka.clientConfig(), registry, config.topic(ClipStreamConfig.TOPIC_LABEL_SETS), name)
                    .orElseThrow(() -> new IllegalArgumentException("label set " + name + " has no live version on "
                            + config.topic(ClipStreamConfig.TOPIC_LABEL_SETS)));
            String group = Backfill.groupId(name, live.getVersion());
            Map<String, Object> consumerConfig = EmbeddingReader.consumerConfig(kafka.clientConfig());
            consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            Map<String, Object> producerConfig = new HashMap<>(kafka.clientConfig());
            producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group);
            producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
            Serializer<ImageTags> tags = AvroSerdes.serde(
                            ImageTags.class, ImageTags.getClassSchema(), registry, true, false)
                    .serializer();
            Serializer<PolicyFlag> flags = AvroSerdes.serde(
                            PolicyFlag.class, PolicyFlag.getClassSchema(), registry, true, false)
                    .serializer();
            Serializer<Object> values = (topic, value) -> value instanceof ImageTags t
                    ? tags.serialize(topic, t)
                    : flags.serialize(topic, (PolicyFlag) value);
            String embeddings = config.topic(ClipStreamConfig.TOPIC_IMAGE_EMBEDDINGS);
            try (KafkaConsumer<String, StoredEmbedding> consumer = EmbeddingReader.consumer(consumerConfig, registry);
                    KafkaProducer<String, Object> producer =
                            new KafkaProducer<>(producerConfig, new StringSerializer(), values)) {
                producer.initTransactions();
                EmbeddingRange resolved = range.fromOffsets != null
                        ? EmbeddingRange.fromOffsets(
                                consumer, embeddings, EmbeddingRange.parseOffsets(range.fromOffsets))
                        : EmbeddingRange.since(
                                consumer, embeddings, EmbeddingRange.parseSince(range.since), Instant.now());
                Backfill.Outcome outcome = new Backfill(CompiledLabelSet.of(live), live.getModelId(), Clock.systemUTC())
                        .run(
                                consumer,
                                producer,
                                resolved,
                                config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS),
                                config.topic(ClipStreamConfig.TOPIC_POLICY_FLAGS));
                JsonLines out = new JsonLines(spec.commandLine().getOut());
                out.write(out.object()
                        .put("labelSet", name)
                        .put("version", live.getVersion())
                        .put("group", group)
                        .put("resumed", outcome.resumed())
                        .put("read", outcome.read())
                        .put("scored", outcome.scored())
                        .put("notApplicable", outcome.notApplicable())
                        .put("skippedOtherWidth", outcome.skipped())
                        .put("tags", outcome.tags())
                        .put("flags", outcome.flags())
                        .put("transactions", outcome.transactions()));
            }
        }
        return 0;
    }
}
