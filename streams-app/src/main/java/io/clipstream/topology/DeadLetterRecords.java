package io.clipstream.topology;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Dead letters: the original key and value bytes, never altered, with headers that say where the record came from
 * and why it failed. Kafka's KIP-1034 headers ({@code __streams.errors.*}) plus ClipStream's stage and stable
 * reason code ({@code clipstream.error.stage}, {@code clipstream.error.reason}).
 */
public final class DeadLetterRecords {

    public static final String HEADER_EXCEPTION = "__streams.errors.exception";
    public static final String HEADER_MESSAGE = "__streams.errors.message";
    public static final String HEADER_STACKTRACE = "__streams.errors.stacktrace";
    public static final String HEADER_TOPIC = "__streams.errors.topic";
    public static final String HEADER_PARTITION = "__streams.errors.partition";
    public static final String HEADER_OFFSET = "__streams.errors.offset";
    public static final String HEADER_STAGE = "clipstream.error.stage";
    public static final String HEADER_REASON = "clipstream.error.reason";

    /** Where in the pipeline a record failed. */
    public enum Stage {
        /** Reading and checking the event (wire format, size, references). */
        VALIDATE,
        /** Fetching an image given by reference. */
        FETCH,
        /** Decoding and preprocessing the image. */
        PREPROCESS,
        /** Running the image encoder on the image. */
        EMBED,
        /** Scoring against the label sets. */
        SCORE;

        /** The header value. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private DeadLetterRecords() {}

    /** The record of {@code letter}: its original key and value bytes and the headers that say why. */
    public static Record<byte[], byte[]> of(DeadLetter letter) {
        DeadLetter.Source source = letter.source();
        String reason = letter.reason().code();
        Throwable error = letter.error();
        Headers headers = new RecordHeaders();
        put(headers, HEADER_STAGE, letter.stage().id());
        put(headers, HEADER_REASON, reason);
        put(headers, HEADER_MESSAGE, letter.message() == null ? reason : letter.message());
        put(headers, HEADER_EXCEPTION, error == null ? reason : error.getClass().getName());
        if (error != null) {
            StringWriter trace = new StringWriter();
            error.printStackTrace(new PrintWriter(trace));
            put(headers, HEADER_STACKTRACE, trace.toString());
        }
        put(headers, HEADER_TOPIC, source.topic());
        put(headers, HEADER_PARTITION, Integer.toString(source.partition()));
        put(headers, HEADER_OFFSET, Long.toString(source.offset()));
        return new Record<>(source.key(), source.value(), source.timestamp(), headers);
    }

    private static void put(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A header's value as text, or null. */
    public static String header(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
