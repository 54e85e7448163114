package io.clipstream.review;

import io.clipstream.schema.ReviewDecision;

/** Where the console publishes decisions (the review-decisions topic). */
@FunctionalInterface
public interface DecisionSink {

    /** Publishes {@code decision}, committed when this returns. */
    void publish(ReviewDecision decision);
}
