package io.clipstream.review;

import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import io.clipstream.topology.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The review console's state, as a Kafka Streams topology:
 *
 * <pre>
 * review-items     ─► review-items store (persistent, changelogged): the queue
 * review-decisions ─► decision ledger ─► review-decisions store: each flag's last accepted decision
 * </pre>
 *
 * Both stores are persistent and changelogged, so a restarted console has everything it had.
 */
public final class ReviewStateTopology {

    /** Store of review items by event id. */
    public static final String ITEMS_STORE = "review-items";
    /** Store of each flag's last accepted decision, keyed eventId/policyId. */
    public static final String DECISIONS_STORE = "review-decisions";

    private static final Logger LOG = LoggerFactory.getLogger(ReviewStateTopology.class);

    private ReviewStateTopology() {}

    /** The topology; pure. */
    public static Topology build(Topics topics) {
        Topology topology = new Topology();
        topology.addSource(
                "review-items-source",
                topics.reviewItems().keySerde().deserializer(),
                topics.reviewItems().valueSerde().deserializer(),
                topics.reviewItems().name());
        topology.addProcessor("review-items-keeper", ItemKeeper::new, "review-items-source");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(ITEMS_STORE),
                        Serdes.String(),
                        topics.reviewItems().valueSerde()),
                "review-items-keeper");
        topology.addSource(
                "review-decisions-source",
                topics.reviewDecisions().keySerde().deserializer(),
                topics.reviewDecisions().valueSerde().deserializer(),
                topics.reviewDecisions().name());
        topology.addProcessor("decision-ledger", DecisionKeeper::new, "review-decisions-source");
        topology.addStateStore(
                Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(DECISIONS_STORE),
                        Serdes.String(),
                        topics.reviewDecisions().valueSerde()),
                "decision-ledger");
        return topology;
    }

    /** Keeps the latest review item of each event. */
    static final class ItemKeeper implements Processor<String, ReviewItem, Void, Void> {
        private KeyValueStore<String, ReviewItem> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(ITEMS_STORE);
        }

        @Override
        public void process(Record<String, ReviewItem> record) {
            if (record.key() == null) {
                return;
            }
            if (record.value() == null) {
                store.delete(record.key());
            } else {
                store.put(record.key(), record.value());
            }
        }
    }

    /** Keeps each flag's last accepted decision; duplicates ({@link DecisionLedger}) are ignored. */
    static final class DecisionKeeper implements Processor<String, ReviewDecision, Void, Void> {
        private KeyValueStore<String, ReviewDecision> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(DECISIONS_STORE);
        }

        @Override
        public void process(Record<String, ReviewDecision> record) {
            ReviewDecision decision = record.value();
            if (decision == null) {
                return;
            }
            String key = DecisionLedger.key(decision.getEventId(), decision.getPolicyId());
            ReviewDecision last = store.get(key);
            if (!DecisionLedger.accepts(last, decision)) {
                LOG.info(
                        "Ignored decision {} on {} by {}: revision {}, the next is {} (a duplicate, or an undo of nothing)",
                        decision.getDecision(),
                        key,
                        decision.getReviewer(),
                        decision.getRevision(),
                        DecisionLedger.nextRevision(last));
                return;
            }
            store.put(key, decision);
        }
    }
}
