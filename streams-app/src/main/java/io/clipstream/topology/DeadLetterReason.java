package io.clipstream.topology;

import io.clipstream.image.FetchRejectionReason;
import io.clipstream.image.RejectionReason;
import io.clipstream.registry.WireFormatException;
import io.clipstream.topology.DeadLetterRecords.Stage;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every reason a record goes to dead letters, with the stages it can happen at. The {@link #code()} (the constant's
 * name) is what the {@code clipstream.error.reason} header and the dead-letter meter carry; codes are stable, never
 * rename them. The README's list of codes is this enum ({@code DeadLetterReasonTest} checks it).
 */
public enum DeadLetterReason {
    /** The record has no value. */
    NULL_VALUE(Stage.VALIDATE),
    /** The value, or the inline image in it, is over {@code image.max.bytes}. */
    TOO_LARGE(Stage.VALIDATE),
    /** Not in the Confluent wire format (no magic byte 0 or shorter than five bytes). */
    NOT_AVRO(Stage.VALIDATE),
    /** The schema id is not known to the registry. */
    UNKNOWN_SCHEMA_ID(Stage.VALIDATE),
    /** The writer's schema cannot be read as an image event. */
    INCOMPATIBLE_SCHEMA(Stage.VALIDATE),
    /** The Avro body is truncated or corrupt. */
    MALFORMED_AVRO(Stage.VALIDATE),
    /** The event has no {@code eventId}. */
    MISSING_EVENT_ID(Stage.VALIDATE),
    /** The image is given by reference and {@code image.references.enabled} is false. */
    REFERENCE_NOT_ALLOWED(Stage.VALIDATE),
    /** A buffered event could not be read again (its schema is gone from the registry). */
    UNREADABLE(Stage.VALIDATE),
    /** See {@link FetchRejectionReason#REFERENCE_INVALID}. */
    REFERENCE_INVALID(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_SCHEME}. */
    REFERENCE_SCHEME(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_HOST_NOT_ALLOWED}. */
    REFERENCE_HOST_NOT_ALLOWED(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_ADDRESS_REFUSED}. */
    REFERENCE_ADDRESS_REFUSED(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_TOO_LARGE}. */
    REFERENCE_TOO_LARGE(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_TIMEOUT}. */
    REFERENCE_TIMEOUT(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_HTTP_ERROR}. */
    REFERENCE_HTTP_ERROR(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_REDIRECTS}. */
    REFERENCE_REDIRECTS(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_CHECKSUM}. */
    REFERENCE_CHECKSUM(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_TLS}. */
    REFERENCE_TLS(Stage.FETCH),
    /** See {@link FetchRejectionReason#REFERENCE_FAILED}. */
    REFERENCE_FAILED(Stage.FETCH),
    /** An unexpected exception or Error while fetching a referenced image, on every attempt. */
    FETCH_FAILED(Stage.FETCH),
    /** See {@link RejectionReason#EMPTY}. */
    EMPTY(Stage.PREPROCESS),
    /** See {@link RejectionReason#UNKNOWN_FORMAT}. */
    UNKNOWN_FORMAT(Stage.PREPROCESS),
    /** See {@link RejectionReason#TOO_MANY_PIXELS}. */
    TOO_MANY_PIXELS(Stage.PREPROCESS),
    /** See {@link RejectionReason#CORRUPT}. */
    CORRUPT(Stage.PREPROCESS),
    /** See {@link RejectionReason#UNSUPPORTED}. */
    UNSUPPORTED(Stage.PREPROCESS),
    /** See {@link RejectionReason#OVER_MEMORY_BUDGET}. */
    OVER_MEMORY_BUDGET(Stage.PREPROCESS),
    /** An unexpected exception or Error while decoding or preprocessing, on every attempt. */
    DECODE_FAILED(Stage.PREPROCESS),
    /** {@code OutOfMemoryError}, {@code StackOverflowError} or no decode memory free in time, on every attempt. */
    RESOURCE_EXHAUSTED(Stage.FETCH, Stage.PREPROCESS, Stage.EMBED),
    /** Processing was started {@code processing.max.attempts} times and the process died each time. */
    PROCESSING_CRASHED(Stage.PREPROCESS),
    /** The model fails on this image when it runs alone, while it embeds other images. */
    EMBED_FAILED(Stage.EMBED),
    /** No label set is active (or none of {@code labels.sets}) and no bank either. */
    NO_LABEL_SET(Stage.SCORE);

    private final Set<Stage> stages;

    DeadLetterReason(Stage first, Stage... more) {
        this.stages = EnumSet.of(first, more);
    }

    /** The stable code of the {@code clipstream.error.reason} header. */
    public String code() {
        return name();
    }

    /** The stage a record fails at for this reason (the first of {@link #stages()}). */
    public Stage stage() {
        return stages.iterator().next();
    }

    /** Every stage this reason can happen at. */
    public Set<Stage> stages() {
        return stages;
    }

    /** The dead-letter reason of a decoder rejection. */
    public static DeadLetterReason of(RejectionReason reason) {
        return valueOf(reason.name());
    }

    /** The dead-letter reason of a fetch rejection. */
    public static DeadLetterReason of(FetchRejectionReason reason) {
        return valueOf(reason.name());
    }

    /** The dead-letter reason of an unreadable value. */
    public static DeadLetterReason of(WireFormatException.Reason reason) {
        return valueOf(reason.name());
    }
}
