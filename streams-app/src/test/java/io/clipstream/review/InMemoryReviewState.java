package io.clipstream.review;

import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The console's state and decision topic in memory: published decisions pass the same ledger as the real state. */
final class InMemoryReviewState implements ReviewState, DecisionSink {

    final Map<String, ReviewItem> items = new ConcurrentHashMap<>();
    final Map<String, ReviewDecision> standing = new ConcurrentHashMap<>();
    /** Every decision published, in order (what review-decisions would hold). */
    final List<ReviewDecision> published = new CopyOnWriteArrayList<>();

    void add(ReviewItem item) {
        items.put(item.getEventId(), item);
    }

    @Override
    public List<ReviewItem> items() {
        return new ArrayList<>(items.values());
    }

    @Override
    public ReviewItem item(String eventId) {
        return items.get(eventId);
    }

    @Override
    public ReviewDecision decision(String key) {
        return standing.get(key);
    }

    @Override
    public List<ReviewDecision> decisions() {
        return new ArrayList<>(standing.values());
    }

    @Override
    public synchronized void publish(ReviewDecision decision) {
        published.add(decision);
        String key = DecisionLedger.key(decision.getEventId(), decision.getPolicyId());
        if (DecisionLedger.accepts(standing.get(key), decision)) {
            standing.put(key, decision);
        }
    }
}
