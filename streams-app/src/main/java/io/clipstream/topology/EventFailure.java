package io.clipstream.topology;

import io.clipstream.image.DecodeMemoryExhaustedException;
import io.clipstream.image.FetchRejectedException;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.topology.DeadLetterRecords.Stage;

/**
 * Why one event failed in one attempt, as a dead letter would say it.
 *
 * @param stage where it failed
 * @param reason the stable reason code
 * @param message what happened
 * @param error what was thrown
 * @param retryable whether another attempt may succeed: true for Errors (memory, stack) and unexpected exceptions,
 *                  false for a rejection, which says the input itself is unusable
 */
record EventFailure(Stage stage, String reason, String message, Throwable error, boolean retryable) {

    /** {@code OutOfMemoryError}, {@code StackOverflowError}, or no decode memory free in time. */
    static final String RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED";
    /** An unexpected exception or Error while decoding or preprocessing. */
    static final String DECODE_FAILED = "DECODE_FAILED";
    /** An unexpected exception or Error while fetching a referenced image. */
    static final String FETCH_FAILED = "FETCH_FAILED";
    /** The model fails on this image when it runs alone, while it embeds other images. */
    static final String EMBED_FAILED = "EMBED_FAILED";
    /** Processing was started {@code processing.max.attempts} times and the process died each time. */
    static final String PROCESSING_CRASHED = "PROCESSING_CRASHED";

    /** The failure {@code error} means at {@code stage}. */
    static EventFailure of(Stage stage, Throwable error) {
        if (error instanceof ImageRejectedException rejected) {
            return new EventFailure(Stage.PREPROCESS, rejected.reason().code(), rejected.getMessage(), error, false);
        }
        if (error instanceof FetchRejectedException rejected) {
            return new EventFailure(Stage.FETCH, rejected.reason().code(), rejected.getMessage(), error, false);
        }
        if (error instanceof OutOfMemoryError || error instanceof StackOverflowError
                || error instanceof DecodeMemoryExhaustedException) {
            return new EventFailure(stage, RESOURCE_EXHAUSTED, error.getClass().getSimpleName() + ": "
                    + error.getMessage(), error, true);
        }
        String reason = switch (stage) {
            case FETCH -> FETCH_FAILED;
            case EMBED -> EMBED_FAILED;
            default -> DECODE_FAILED;
        };
        return new EventFailure(stage, reason, error.getClass().getName() + ": " + error.getMessage(), error, true);
    }
}
