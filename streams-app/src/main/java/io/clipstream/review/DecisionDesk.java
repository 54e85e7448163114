package io.clipstream.review;

import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import io.clipstream.schema.ReviewVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a moderator's click into one published {@link ReviewDecision}. The request names the revision it decides
 * (what the page showed); the desk claims that revision in this process, so a double click publishes once, and the
 * state's {@link DecisionLedger} ignores a revision taken by another console. After publishing, the desk waits
 * until its state shows the decision, so the next page already has it. Every accepted decision is written to the
 * audit log ({@code io.clipstream.review.audit}) with its reviewer.
 */
public final class DecisionDesk {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.clipstream.review.audit");

    /** What became of a request. */
    public enum Outcome {
        /** Published. */
        DECIDED,
        /** The revision was already taken (a double click, or someone else decided first): nothing published. */
        ALREADY_DECIDED,
        /** No such flag is waiting for review. */
        UNKNOWN_FLAG,
        /** An undo with no standing decision. */
        NOTHING_TO_UNDO
    }

    private final ReviewState state;
    private final DecisionSink sink;
    private final Duration visibleWithin;
    private final Set<String> claimed = ConcurrentHashMap.newKeySet();

    /**
     * @param visibleWithin how long to wait for a published decision to appear in the state
     */
    public DecisionDesk(ReviewState state, DecisionSink sink, Duration visibleWithin) {
        this.state = state;
        this.sink = sink;
        this.visibleWithin = visibleWithin;
    }

    /** Decides one flag for {@code reviewer}. */
    public Outcome decide(
            String reviewer,
            String eventId,
            String policyId,
            ReviewVerdict verdict,
            int revision,
            String note,
            Instant now) {
        ReviewItem item = state.item(eventId);
        PolicyFlag flag = item == null
                ? null
                : item.getFlags().stream()
                        .filter(f -> f.getPolicyId().equals(policyId))
                        .findFirst()
                        .orElse(null);
        if (flag == null) {
            return Outcome.UNKNOWN_FLAG;
        }
        String key = DecisionLedger.key(eventId, policyId);
        ReviewDecision last = state.decision(key);
        if (revision != DecisionLedger.nextRevision(last)) {
            return Outcome.ALREADY_DECIDED;
        }
        if (verdict == ReviewVerdict.UNDONE && !DecisionLedger.isDecided(last)) {
            return Outcome.NOTHING_TO_UNDO;
        }
        if (!claimed.add(key + "#" + revision)) {
            return Outcome.ALREADY_DECIDED;
        }
        ReviewDecision decision = ReviewDecision.newBuilder()
                .setEventId(eventId)
                .setPolicyId(policyId)
                .setDecision(verdict)
                .setReviewer(reviewer)
                .setDecidedAt(now)
                .setNote(note == null || note.isBlank() ? null : note.strip())
                .setLabelSetName(flag.getLabelSetName())
                .setLabelSetVersion(flag.getLabelSetVersion())
                .setRevision(revision)
                .setModelId(flag.getModelId())
                .setMatched(List.copyOf(flag.getMatched()))
                .build();
        try {
            sink.publish(decision);
        } catch (RuntimeException e) {
            claimed.remove(key + "#" + revision);
            throw e;
        }
        AUDIT.info(
                "decision reviewer={} event={} policy={} verdict={} revision={} labelSet={}@{}",
                reviewer,
                eventId,
                policyId,
                verdict,
                revision,
                flag.getLabelSetName(),
                flag.getLabelSetVersion());
        awaitVisible(key, revision);
        return Outcome.DECIDED;
    }

    private void awaitVisible(String key, int revision) {
        long deadline = System.nanoTime() + visibleWithin.toNanos();
        while (System.nanoTime() < deadline) {
            ReviewDecision now = state.decision(key);
            if (now != null && now.getRevision() >= revision) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
