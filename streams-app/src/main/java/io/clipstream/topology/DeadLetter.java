package io.clipstream.topology;

import io.clipstream.topology.DeadLetterRecords.Stage;
import java.util.Objects;

/**
 * One record on its way to dead letters: where it came from (with its original bytes), the stage it failed at, why,
 * and what was thrown.
 *
 * @param source the input record, as read
 * @param stage where it failed; one of {@code reason.stages()}
 * @param reason why
 * @param message what happened, for people
 * @param error what was thrown, or null
 */
public record DeadLetter(Source source, Stage stage, DeadLetterReason reason, String message, Throwable error) {

    /**
     * The input record a dead letter carries.
     *
     * @param key the original key bytes (may be null)
     * @param value the original value bytes (may be null)
     */
    public record Source(byte[] key, byte[] value, long timestamp, String topic, int partition, long offset) {}

    public DeadLetter {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
        if (!reason.stages().contains(stage)) {
            throw new IllegalArgumentException(reason + " does not happen at stage " + stage);
        }
    }

    /** A dead letter at the reason's own stage, without an exception. */
    public static DeadLetter of(Source source, DeadLetterReason reason, String message) {
        return new DeadLetter(source, reason.stage(), reason, message, null);
    }

    /** The same dead letter, with what was thrown. */
    public DeadLetter because(Throwable cause) {
        return new DeadLetter(source, stage, reason, message, cause);
    }
}
