package io.clipstream.review;

import static io.clipstream.review.ReviewFixtures.START;
import static io.clipstream.review.ReviewFixtures.decision;
import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import io.clipstream.schema.ReviewVerdict;
import io.clipstream.schema.Severity;
import io.clipstream.topology.Topics;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's state on TopologyTestDriver: items kept, decisions de-duplicated by revision. */
class ReviewStateTopologyTest {

    @TempDir
    Path dir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, ReviewDecision> decisions;
    private TestInputTopic<String, ReviewItem> items;

    @BeforeEach
    void start() {
        Topics topics = ReviewFixtures.topics("review-state-" + System.nanoTime());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "review-state-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        driver = new TopologyTestDriver(ReviewStateTopology.build(topics), props, START);
        decisions = driver.createInputTopic(
                topics.reviewDecisions().name(),
                new StringSerializer(),
                topics.reviewDecisions().valueSerde().serializer());
        items = driver.createInputTopic(
                topics.reviewItems().name(),
                new StringSerializer(),
                topics.reviewItems().valueSerde().serializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private KeyValueStore<String, ReviewDecision> store() {
        return driver.getKeyValueStore(ReviewStateTopology.DECISIONS_STORE);
    }

    private void send(ReviewDecision d) {
        decisions.pipeInput(DecisionLedger.key(d.getEventId(), d.getPolicyId()), d);
    }

    @Test
    void aDoubleClickDecidesOnce() {
        send(decision("e1", "p", ReviewVerdict.CONFIRMED, 0, "3", START, 0.3f));
        send(decision("e1", "p", ReviewVerdict.OVERTURNED, 0, "3", START.plusMillis(5), 0.3f));
        ReviewDecision standing = store().get("e1/p");
        assertThat(standing.getDecision()).isEqualTo(ReviewVerdict.CONFIRMED);
        assertThat(standing.getRevision()).isZero();
    }

    @Test
    void undoWithdrawsAndTheNextDecisionTakesTheNextRevision() {
        send(decision("e1", "p", ReviewVerdict.CONFIRMED, 0, "3", START, 0.3f));
        send(decision("e1", "p", ReviewVerdict.UNDONE, 1, "3", START, 0.3f));
        assertThat(DecisionLedger.isDecided(store().get("e1/p"))).isFalse();
        send(decision("e1", "p", ReviewVerdict.UNDONE, 2, "3", START, 0.3f));
        assertThat(store().get("e1/p").getRevision())
                .as("an undo with nothing to withdraw is ignored")
                .isEqualTo(1);
        send(decision("e1", "p", ReviewVerdict.OVERTURNED, 2, "3", START, 0.3f));
        assertThat(store().get("e1/p").getDecision()).isEqualTo(ReviewVerdict.OVERTURNED);
        assertThat(store().get("e1/p").getRevision()).isEqualTo(2);
    }

    @Test
    void aDecisionThatSkipsARevisionIsIgnored() {
        send(decision("e1", "p", ReviewVerdict.CONFIRMED, 1, "3", START, 0.3f));
        assertThat(store().get("e1/p")).isNull();
    }

    @Test
    void itemsAreKeptByEventId() {
        items.pipeInput(
                "e1", ReviewFixtures.item("e1", "uploads", START, ReviewFixtures.flag("e1", "p", Severity.HIGH, 0.3f)));
        KeyValueStore<String, ReviewItem> store = driver.getKeyValueStore(ReviewStateTopology.ITEMS_STORE);
        assertThat(store.get("e1").getSource()).isEqualTo("uploads");
        assertThat(store.approximateNumEntries()).isEqualTo(1);
    }
}
