package io.clipstream.topology;

import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.LabelSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds the processor topology, top to bottom:
 *
 * <pre>
 * image-events ─► image-batcher (validate ─► buffer store ─► flush on size | age ─► decode pool
 *                                 ─► inference batcher ─► score with the active label sets)
 *                   ├─► image-tags
 *                   ├─► policy-flags        (only when a policy fires)
 *                   ├─► image-embeddings    (when enabled)
 *                   ├─► bank-matches        (when an image matches a known-content bank)
 *                   ├─► image-tags-shadow, policy-flags-shadow (shadow label-set versions only)
 *                   ├─► review-items        (when enabled: thumbnail + flags of each flagged event)
 *                   └─► dead-letters        (original bytes + error headers, any stage)
 * label-sets (compacted) ─► global store ─► active label sets (fingerprint-checked)
 * banks (compacted, one record per item) ─► global store ─► active banks (PDQ multi-index, CLIP)
 * </pre>
 */
public final class ClipStreamTopology {

    /** The changelogged store holding buffered events until their results are forwarded. */
    public static final String BUFFER_STORE = "event-buffer";
    /** The global store of published label sets. */
    public static final String LABEL_SET_STORE = "label-sets";
    /** The global store of bank settings and items. */
    public static final String BANK_STORE = "banks";

    static final String SOURCE = "image-events-source";
    static final String PROCESSOR = "image-batcher";
    static final String TAGS_SINK = "image-tags-sink";
    static final String FLAGS_SINK = "policy-flags-sink";
    static final String EMBEDDINGS_SINK = "image-embeddings-sink";
    static final String DEAD_LETTERS_SINK = "dead-letters-sink";
    static final String BANK_MATCHES_SINK = "bank-matches-sink";
    /** Results of shadow label-set versions: never the live sinks. */
    static final String SHADOW_TAGS_SINK = "image-tags-shadow-sink";

    static final String SHADOW_FLAGS_SINK = "policy-flags-shadow-sink";
    static final String REVIEW_ITEMS_SINK = "review-items-sink";

    private ClipStreamTopology() {}

    /**
     * The topology; pure: it starts nothing, and the same inputs give the same topology.
     *
     * @param topics topic names and serdes
     * @param registry the schema registry the label-set records are read with
     * @param resources the process-wide model, pools and label sets
     * @param settings batching and input limits
     */
    public static Topology buildTopology(
            Topics topics, SchemaRegistryClient registry, PipelineResources resources, BatchingSettings settings) {
        Topology topology = new Topology();
        topology.addSource(
                SOURCE,
                topics.imageEvents().keySerde().deserializer(),
                topics.imageEvents().valueSerde().deserializer(),
                topics.imageEvents().name());
        ImageBatchProcessor.SinkNames sinks = new ImageBatchProcessor.SinkNames(
                TAGS_SINK, FLAGS_SINK, EMBEDDINGS_SINK, DEAD_LETTERS_SINK, BANK_MATCHES_SINK, REVIEW_ITEMS_SINK);
        topology.addProcessor(
                PROCESSOR,
                () -> new ImageBatchProcessor(BUFFER_STORE, sinks, topics.eventFormat(), resources, settings),
                SOURCE);
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(BUFFER_STORE), Serdes.Long(), new BufferedEventSerde())
                        .withLoggingEnabled(java.util.Map.of()),
                PROCESSOR);
        topology.addSink(
                TAGS_SINK,
                topics.imageTags().name(),
                topics.imageTags().keySerde().serializer(),
                topics.imageTags().valueSerde().serializer(),
                PROCESSOR);
        topology.addSink(
                FLAGS_SINK,
                topics.policyFlags().name(),
                topics.policyFlags().keySerde().serializer(),
                topics.policyFlags().valueSerde().serializer(),
                PROCESSOR);
        topology.addSink(
                EMBEDDINGS_SINK,
                topics.imageEmbeddings().name(),
                topics.imageEmbeddings().keySerde().serializer(),
                topics.imageEmbeddings().valueSerde().serializer(),
                PROCESSOR);
        topology.addSink(
                DEAD_LETTERS_SINK,
                topics.deadLetters().name(),
                topics.deadLetters().keySerde().serializer(),
                topics.deadLetters().valueSerde().serializer(),
                PROCESSOR);
        topology.addSink(
                BANK_MATCHES_SINK,
                topics.bankMatches().name(),
                topics.bankMatches().keySerde().serializer(),
                topics.bankMatches().valueSerde().serializer(),
                PROCESSOR);
        topology.addSink(
                SHADOW_TAGS_SINK,
                topics.imageTagsShadow().name(),
                topics.imageTagsShadow().keySerde().serializer(),
                topics.imageTagsShadow().valueSerde().serializer(),
                PROCESSOR);
        topology.addSink(
                SHADOW_FLAGS_SINK,
                topics.policyFlagsShadow().name(),
                topics.policyFlagsShadow().keySerde().serializer(),
                topics.policyFlagsShadow().valueSerde().serializer(),
                PROCESSOR);
        if (settings.emitReviewItems()) {
            topology.addSink(
                    REVIEW_ITEMS_SINK,
                    topics.reviewItems().name(),
                    topics.reviewItems().keySerde().serializer(),
                    topics.reviewItems().valueSerde().serializer(),
                    PROCESSOR);
        }

        AvroWireFormat<LabelSet> labelSetFormat =
                new AvroWireFormat<>(LabelSet.class, LabelSet.getClassSchema(), registry, false);
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(LABEL_SET_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                "label-sets-source",
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                topics.labelSets().name(),
                "label-sets-updater",
                () -> new LabelSetStoreProcessor(
                        LABEL_SET_STORE, labelSetFormat, resources.labelSets(), resources.metrics()));

        AvroWireFormat<BankEntry> bankFormat =
                new AvroWireFormat<>(BankEntry.class, BankEntry.getClassSchema(), registry, false);
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(BANK_STORE), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                "banks-source",
                Serdes.String().deserializer(),
                Serdes.ByteArray().deserializer(),
                topics.banks().name(),
                "banks-updater",
                () -> new BankStoreProcessor(BANK_STORE, bankFormat, resources.banks()));
        return topology;
    }
}
