package io.clipstream.topology;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankMatch;
import io.clipstream.schema.ImageEmbedding;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic the processor reads or writes, each with its name (prefixed by config) and serdes: the one place
 * that says what travels where.
 *
 * <p>The input is read as raw bytes and decoded inside the processor, so that a value that cannot be decoded still
 * reaches the dead-letter topic with its original bytes.
 *
 * @param imageEvents input: ImageEvent records, read as bytes
 * @param imageTags output: one ImageTags per event and label set, keyed by event id
 * @param policyFlags output: one PolicyFlag per fired policy, keyed by event id
 * @param imageEmbeddings output (optional): the image embedding, keyed by event id
 * @param deadLetters output: original key and value bytes with error headers
 * @param labelSets compacted input: compiled LabelSet records, keyed by name
 * @param eventFormat the decoder of ImageEvent values
 * @param banks compacted input: BankEntry records, keyed NAME (settings) or NAME/ITEM
 * @param bankMatches output: one BankMatch per event and matched bank, keyed by event id
 * @param reviewItems output (optional): one ReviewItem per flagged event, keyed by event id
 * @param reviewDecisions the review console's ReviewDecision records, keyed eventId/policyId
 */
public record Topics(
        TopicSpec<byte[], byte[]> imageEvents,
        TopicSpec<String, ImageTags> imageTags,
        TopicSpec<String, PolicyFlag> policyFlags,
        TopicSpec<String, ImageEmbedding> imageEmbeddings,
        TopicSpec<byte[], byte[]> deadLetters,
        TopicSpec<String, LabelSet> labelSets,
        io.clipstream.registry.AvroWireFormat<ImageEvent> eventFormat,
        TopicSpec<String, BankEntry> banks,
        TopicSpec<String, BankMatch> bankMatches,
        TopicSpec<String, ReviewItem> reviewItems,
        TopicSpec<String, ReviewDecision> reviewDecisions) {

    /** What the shadow topics' names add to the live ones ({@code image-tags-shadow}, {@code policy-flags-shadow}). */
    public static final String SHADOW_SUFFIX = "-shadow";

    /** Output: ImageTags of shadow label-set versions only, named after {@link #imageTags} plus {@code -shadow}. */
    public TopicSpec<String, ImageTags> imageTagsShadow() {
        return new TopicSpec<>(imageTags.name() + SHADOW_SUFFIX, imageTags.keySerde(), imageTags.valueSerde());
    }

    /** Output: PolicyFlags of shadow label-set versions only, named after {@link #policyFlags} plus {@code -shadow}. */
    public TopicSpec<String, PolicyFlag> policyFlagsShadow() {
        return new TopicSpec<>(policyFlags.name() + SHADOW_SUFFIX, policyFlags.keySerde(), policyFlags.valueSerde());
    }

    /** The topics named by {@code config}, with Avro serdes on {@code registry}. */
    public static Topics of(ClipStreamConfig config, SchemaRegistryClient registry) {
        boolean register = config.getBoolean(ClipStreamConfig.SCHEMA_REGISTRY_AUTO_REGISTER);
        return new Topics(
                new TopicSpec<>(
                        config.topic(ClipStreamConfig.TOPIC_IMAGE_EVENTS), Serdes.ByteArray(), Serdes.ByteArray()),
                new TopicSpec<>(
                        config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS),
                        Serdes.String(),
                        AvroSerdes.serde(ImageTags.class, ImageTags.getClassSchema(), registry, register, false)),
                new TopicSpec<>(
                        config.topic(ClipStreamConfig.TOPIC_POLICY_FLAGS),
                        Serdes.String(),
                        AvroSerdes.serde(PolicyFlag.class, PolicyFlag.getClassSchema(), registry, register, false)),
                new TopicSpec<>(
                        config.topic(ClipStreamConfig.TOPIC_IMAGE_EMBEDDINGS),
                        Serdes.String(),
                        AvroSerdes.serde(
                                ImageEmbedding.class, ImageEmbedding.getClassSchema(), registry, register, false)),
                new TopicSpec<>(
                        config.topic(ClipStreamConfig.TOPIC_DEAD_LETTERS), Serdes.ByteArray(), Serdes.ByteArray()),
                new TopicSpec<>(
                        config.topic(ClipStreamConfig.TOPIC_LABEL_SETS),
                        Serdes.String(),
                        AvroSerdes.serde(LabelSet.class, LabelSet.getClassSchema(), registry, register, false)),
                new io.clipstream.registry.AvroWireFormat<>(
                        ImageEvent.class, ImageEvent.getClassSchema(), registry, register),
                new TopicSpec<>(
                        config.topic(ClipStreamConfig.TOPIC_BANKS),
                        Serdes.String(),
                        AvroSerdes.serde(BankEntry.class, BankEntry.getClassSchema(), registry, register, false)),
                new TopicSpec<>(
                        config.topic(ClipStreamConfig.TOPIC_BANK_MATCHES),
                        Serdes.String(),
                        AvroSerdes.serde(BankMatch.class, BankMatch.getClassSchema(), registry, register, false)),
                new TopicSpec<>(
                        config.topic(io.clipstream.review.ReviewKeys.TOPIC_REVIEW_ITEMS),
                        Serdes.String(),
                        AvroSerdes.serde(ReviewItem.class, ReviewItem.getClassSchema(), registry, register, false)),
                new TopicSpec<>(
                        config.topic(io.clipstream.review.ReviewKeys.TOPIC_REVIEW_DECISIONS),
                        Serdes.String(),
                        AvroSerdes.serde(
                                ReviewDecision.class, ReviewDecision.getClassSchema(), registry, register, false)));
    }
}
