package io.clipstream.rescore;

import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.labels.ImageVerdict;
import io.clipstream.labels.ResultRecords;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Timings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits {@link ImageTags} and {@link PolicyFlag}s for past events from their stored embeddings, marked
 * {@code backfill}, exactly once: each chunk's outputs and the read position are committed in one Kafka transaction
 * (the position as the offsets of consumer group {@link #groupId}), so a run killed at any point resumes where its
 * last transaction ended and nothing is repeated or skipped. The range's end is fixed at the first start and kept in
 * the committed offsets' metadata ({@code until=N}), so a resumed run stops where the first one would have.
 *
 * <p>Scored with the set's own {@link CompiledLabelSet#score}, honouring its {@code applies_to}; negative banks,
 * which can suppress a live flag, are not consulted.
 */
public final class Backfill {

    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);
    private static final String UNTIL = "until=";

    private final CompiledLabelSet set;
    private final String modelId;
    private final Clock clock;

    /**
     * What a run did.
     *
     * @param read embeddings read by this run
     * @param scored embeddings the set applied to and scored
     * @param notApplicable embeddings the set does not apply to (no output)
     * @param skipped embeddings of another width (another model), no output
     * @param tags ImageTags written
     * @param flags PolicyFlags written
     * @param resumed whether the run continued a previous one
     * @param transactions transactions committed
     */
    public record Outcome(
            long read,
            long scored,
            long notApplicable,
            long skipped,
            long tags,
            long flags,
            boolean resumed,
            long transactions) {}

    /**
     * @param set the label set to backfill with
     * @param modelId written on the results when the stored embedding names no model (else the embedding's)
     */
    public Backfill(CompiledLabelSet set, String modelId, Clock clock) {
        this.set = set;
        this.modelId = modelId;
        this.clock = clock;
    }

    /** The consumer group (and transactional id) of a backfill of one version of a set. */
    public static String groupId(String name, String version) {
        return "clipstream-backfill-" + name + "-" + version;
    }

    /**
     * Runs (or resumes) the backfill.
     *
     * @param consumer a read_committed consumer with group id {@link #groupId}, not subscribed
     * @param producer a transactional producer, {@code initTransactions} already called (fencing any predecessor)
     * @param range the range to use when no previous run of this group committed one
     */
    public Outcome run(
            KafkaConsumer<String, StoredEmbedding> consumer,
            KafkaProducer<String, Object> producer,
            EmbeddingRange range,
            String tagsTopic,
            String flagsTopic) {
        List<TopicPartition> partitions = EmbeddingRange.partitions(consumer, range.topic());
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
        Map<TopicPartition, Long> position = new HashMap<>();
        Map<TopicPartition, Long> until = new HashMap<>();
        boolean resumed = committed.values().stream().anyMatch(o -> o != null);
        long transactions = 0;
        for (TopicPartition p : partitions) {
            OffsetAndMetadata at = committed.get(p);
            if (resumed && at != null && at.metadata().startsWith(UNTIL)) {
                position.put(p, at.offset());
                until.put(p, Long.parseLong(at.metadata().substring(UNTIL.length())));
            } else {
                position.put(p, range.from().getOrDefault(p.partition(), 0L));
                until.put(p, range.until().getOrDefault(p.partition(), 0L));
            }
        }
        ConsumerGroupMetadata group = consumer.groupMetadata();
        if (!resumed) {
            producer.beginTransaction();
            producer.sendOffsetsToTransaction(offsets(position, until), group);
            producer.commitTransaction();
            transactions++;
            LOG.info(
                    "Backfill of {} version {} started: {} embeddings",
                    set.name(),
                    set.version(),
                    size(position, until));
        } else {
            LOG.info(
                    "Backfill of {} version {} resumed: {} embeddings left",
                    set.name(),
                    set.version(),
                    size(position, until));
        }
        List<TopicPartition> open =
                partitions.stream().filter(p -> position.get(p) < until.get(p)).toList();
        consumer.assign(open);
        open.forEach(p -> consumer.seek(p, position.get(p)));
        long read = 0;
        long scored = 0;
        long notApplicable = 0;
        long skipped = 0;
        long tags = 0;
        long flags = 0;
        while (open.stream().anyMatch(p -> position.get(p) < until.get(p))) {
            ConsumerRecords<String, StoredEmbedding> records = consumer.poll(Duration.ofMillis(500));
            List<StoredEmbedding> chunk = new ArrayList<>();
            for (ConsumerRecord<String, StoredEmbedding> record : records) {
                TopicPartition p = new TopicPartition(record.topic(), record.partition());
                if (record.offset() >= until.get(p)) {
                    continue;
                }
                position.put(p, record.offset() + 1);
                if (record.value() != null) {
                    chunk.add(EmbeddingReader.stored(record));
                }
            }
            boolean moved = !chunk.isEmpty();
            for (TopicPartition p : open) {
                long next = Math.max(position.get(p), Math.min(consumer.position(p), until.get(p)));
                moved |= next != position.get(p);
                position.put(p, next);
            }
            if (!moved) {
                continue;
            }
            producer.beginTransaction();
            List<StoredEmbedding> usable = new ArrayList<>(chunk.size());
            for (StoredEmbedding e : chunk) {
                if (e.embedding().length != set.dimension()) {
                    skipped++;
                } else if (!set.appliesTo().matches(e.source(), e.attributes())) {
                    notApplicable++;
                } else {
                    usable.add(e);
                }
            }
            read += chunk.size();
            if (!usable.isEmpty()) {
                float[][] embeddings =
                        usable.stream().map(StoredEmbedding::embedding).toArray(float[][]::new);
                List<ImageVerdict> verdicts = set.score(embeddings);
                Instant now = clock.instant();
                for (int i = 0; i < usable.size(); i++) {
                    StoredEmbedding e = usable.get(i);
                    Timings timings = new Timings(0L, 0L, Math.max(0, now.toEpochMilli() - e.timestamp()));
                    String model = e.modelId() == null || e.modelId().isEmpty() ? modelId : e.modelId();
                    ImageTags t = ResultRecords.tags(e.eventId(), model, set, verdicts.get(i), timings);
                    t.setBackfill(true);
                    producer.send(new ProducerRecord<>(tagsTopic, null, e.timestamp(), e.eventId(), t));
                    tags++;
                    for (PolicyFlag flag : ResultRecords.flags(e.eventId(), model, set, verdicts.get(i), now)) {
                        flag.setBackfill(true);
                        producer.send(new ProducerRecord<>(flagsTopic, null, e.timestamp(), e.eventId(), flag));
                        flags++;
                    }
                }
                scored += usable.size();
            }
            producer.sendOffsetsToTransaction(offsets(position, until), group);
            producer.commitTransaction();
            transactions++;
        }
        LOG.info(
                "Backfill of {} version {} done: {} read, {} scored, {} tags, {} flags",
                set.name(),
                set.version(),
                read,
                scored,
                tags,
                flags);
        return new Outcome(read, scored, notApplicable, skipped, tags, flags, resumed, transactions);
    }

    private static Map<TopicPartition, OffsetAndMetadata> offsets(
            Map<TopicPartition, Long> position, Map<TopicPartition, Long> until) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        position.forEach((p, o) -> offsets.put(p, new OffsetAndMetadata(o, UNTIL + until.get(p))));
        return offsets;
    }

    private static long size(Map<TopicPartition, Long> position, Map<TopicPartition, Long> until) {
        long total = 0;
        for (Map.Entry<TopicPartition, Long> e : position.entrySet()) {
            total += Math.max(0, until.get(e.getKey()) - e.getValue());
        }
        return total;
    }
}
