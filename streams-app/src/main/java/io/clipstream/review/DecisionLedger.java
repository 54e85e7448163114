package io.clipstream.review;

import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewVerdict;

/**
 * The rule that makes each decision count once: a flag's decisions are numbered from 0 ({@code revision}), and a
 * decision is accepted only when it carries the next number. A second click, a retried request or a second console
 * deciding the same flag carries a number already taken and is ignored. UNDONE withdraws the decision before it;
 * an UNDONE with nothing to withdraw is ignored.
 */
public final class DecisionLedger {

    private DecisionLedger() {}

    /** The revision the next decision on a flag must carry, given its last accepted decision (null: none). */
    public static int nextRevision(ReviewDecision last) {
        return last == null ? 0 : last.getRevision() + 1;
    }

    /** Whether {@code incoming} is accepted after {@code last} (null: the flag has no decision yet). */
    public static boolean accepts(ReviewDecision last, ReviewDecision incoming) {
        if (incoming.getRevision() != nextRevision(last)) {
            return false;
        }
        return incoming.getDecision() != ReviewVerdict.UNDONE || isDecided(last);
    }

    /** Whether the flag stands decided after {@code last} (a decision that is not withdrawn). */
    public static boolean isDecided(ReviewDecision last) {
        return last != null && last.getDecision() != ReviewVerdict.UNDONE;
    }

    /** The key of a flag on the review-decisions topic and in the console's store. */
    public static String key(String eventId, String policyId) {
        return eventId + "/" + policyId;
    }
}
