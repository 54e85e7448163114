package io.clipstream.review;

import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import java.util.List;

/** What the console reads: the review items and each flag's standing decision. */
public interface ReviewState {

    /** Every review item. */
    List<ReviewItem> items();

    /** The item of an event, or null. */
    ReviewItem item(String eventId);

    /** The last accepted decision on a flag (key {@link DecisionLedger#key}), or null. */
    ReviewDecision decision(String key);

    /** Every flag's last accepted decision. */
    List<ReviewDecision> decisions();
}
