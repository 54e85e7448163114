package io.clipstream.topology;

import io.clipstream.image.DecodeMemoryExhaustedException;
import io.clipstream.image.FetchRejectedException;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.topology.DeadLetterRecords.Stage;

/**
 * Why one event failed in one attempt, as a dead letter would say it.
 *
 * @param stage where it failed
 * @param reason why
 * @param message what happened
 * @param error what was thrown
 * @param retryable whether another attempt may succeed: true for Errors (memory, stack) and unexpected exceptions,
 *                  false for a rejection, which says the input itself is unusable
 */
record EventFailure(Stage stage, DeadLetterReason reason, String message, Throwable error, boolean retryable) {

    /** The failure {@code error} means at {@code stage}. */
    static EventFailure of(Stage stage, Throwable error) {
        if (error instanceof ImageRejectedException rejected) {
            return new EventFailure(
                    Stage.PREPROCESS, DeadLetterReason.of(rejected.reason()), rejected.getMessage(), error, false);
        }
        if (error instanceof FetchRejectedException rejected) {
            return new EventFailure(
                    Stage.FETCH, DeadLetterReason.of(rejected.reason()), rejected.getMessage(), error, false);
        }
        if (error instanceof OutOfMemoryError
                || error instanceof StackOverflowError
                || error instanceof DecodeMemoryExhaustedException) {
            return new EventFailure(
                    stage,
                    DeadLetterReason.RESOURCE_EXHAUSTED,
                    error.getClass().getSimpleName() + ": " + error.getMessage(),
                    error,
                    true);
        }
        DeadLetterReason reason =
                switch (stage) {
                    case FETCH -> DeadLetterReason.FETCH_FAILED;
                    case EMBED -> DeadLetterReason.EMBED_FAILED;
                    default -> DeadLetterReason.DECODE_FAILED;
                };
        return new EventFailure(stage, reason, error.getClass().getName() + ": " + error.getMessage(), error, true);
    }

    /** The dead letter of {@code source} for this failure, with {@code message} in place of the failure's own. */
    DeadLetter deadLetter(DeadLetter.Source source, String message) {
        return new DeadLetter(source, stage, reason, message, error);
    }
}
