package io.clipstream.registry;

import org.apache.kafka.common.errors.SerializationException;

/** A value that is not a readable Confluent-wire-format Avro record, with a stable reason code for dead letters. */
public final class WireFormatException extends SerializationException {

    private static final long serialVersionUID = 1L;

    /** Why the bytes could not be read. */
    public enum Reason {
        /** Shorter than five bytes or not starting with magic byte 0: not written by an Avro serializer. */
        NOT_AVRO,
        /** The schema id is not known to the registry. */
        UNKNOWN_SCHEMA_ID,
        /** The writer's schema cannot be read as the expected record. */
        INCOMPATIBLE_SCHEMA,
        /** The Avro body is truncated or corrupt. */
        MALFORMED_AVRO;

        /** The code written to dead-letter headers. */
        public String code() {
            return name();
        }
    }

    private final Reason reason;

    public WireFormatException(Reason reason, String message, Throwable cause) {
        super(reason.code() + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
