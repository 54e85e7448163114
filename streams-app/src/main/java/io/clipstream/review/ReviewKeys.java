package io.clipstream.review;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The configuration keys of review items and the review console, defined into the application's one
 * {@link io.clipstream.config.ClipStreamConfig} (kept here so the review feature's keys live beside it).
 */
public final class ReviewKeys {

    public static final String REVIEW_ITEMS_ENABLED = "review.items.enabled";
    public static final String TOPIC_REVIEW_ITEMS = "topic.review.items";
    public static final String TOPIC_REVIEW_DECISIONS = "topic.review.decisions";
    public static final String REVIEW_ITEMS_RETENTION_MS = "review.items.retention.ms";
    public static final String REVIEW_APPLICATION_ID = "review.application.id";
    public static final String REVIEW_HTTP_HOST = "review.http.host";
    public static final String REVIEW_HTTP_PORT = "review.http.port";
    public static final String REVIEW_USERS = "review.users";
    public static final String REVIEW_SSL_KEYSTORE_LOCATION = "review.ssl.keystore.location";
    public static final String REVIEW_SSL_KEYSTORE_PASSWORD = "review.ssl.keystore.password";
    public static final String REVIEW_SSL_KEYSTORE_TYPE = "review.ssl.keystore.type";
    public static final String REVIEW_LOGIN_MAX_FAILURES = "review.login.max.failures";
    public static final String REVIEW_LOGIN_WINDOW_MS = "review.login.window.ms";
    public static final String REVIEW_SESSION_TIMEOUT_MS = "review.session.timeout.ms";
    public static final String REVIEW_BANK_POSITIVE = "review.bank.positive";
    public static final String REVIEW_BANK_NEGATIVE = "review.bank.negative";

    private ReviewKeys() {}

    /** Adds the review keys to {@code def} and returns it. */
    public static ConfigDef define(ConfigDef def) {
        return def.define(
                        REVIEW_ITEMS_ENABLED,
                        Type.BOOLEAN,
                        false,
                        Importance.MEDIUM,
                        "Emit a ReviewItem (a JPEG thumbnail of at most 256 px made from the decoded pixels, the"
                                + " event's source and attributes, its flags with their evidence) for each flagged"
                                + " event to topic.review.items, for the review console.")
                .define(
                        TOPIC_REVIEW_ITEMS,
                        Type.STRING,
                        "review-items",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Topic of ReviewItem records, keyed by event id.")
                .define(
                        TOPIC_REVIEW_DECISIONS,
                        Type.STRING,
                        "review-decisions",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Topic of ReviewDecision records, keyed eventId/policyId.")
                .define(
                        REVIEW_ITEMS_RETENTION_MS,
                        Type.LONG,
                        14L * 24 * 3600 * 1000,
                        Range.atLeast(60_000),
                        Importance.MEDIUM,
                        "Retention of the review-items topic when it is created (thumbnails are"
                                + " kept no longer than this).")
                .define(
                        REVIEW_APPLICATION_ID,
                        Type.STRING,
                        "clipstream-review",
                        new ConfigDef.NonEmptyString(),
                        Importance.LOW,
                        "Kafka Streams application id of the review console's state.")
                .define(
                        REVIEW_HTTP_HOST,
                        Type.STRING,
                        "127.0.0.1",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Address the review console binds to; loopback unless told otherwise.")
                .define(
                        REVIEW_HTTP_PORT,
                        Type.INT,
                        8090,
                        Range.between(0, 65535),
                        Importance.MEDIUM,
                        "Port of the review console; 0 picks a free port.")
                .define(
                        REVIEW_USERS,
                        Type.LIST,
                        "",
                        Importance.HIGH,
                        "Console users, comma-separated NAME:ROLE:BCRYPT_HASH (role viewer, moderator or admin;"
                                + " make the hash with `clipstream review --hash-password`). The console refuses to"
                                + " start without one.")
                .define(
                        REVIEW_SSL_KEYSTORE_LOCATION,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Key store (PKCS12 or JKS) of the console's TLS certificate; when set the console serves"
                                + " HTTPS only.")
                .define(
                        REVIEW_SSL_KEYSTORE_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Password of the console's key store.")
                .define(
                        REVIEW_SSL_KEYSTORE_TYPE,
                        Type.STRING,
                        "PKCS12",
                        Importance.LOW,
                        "Type of the console's key store.")
                .define(
                        REVIEW_LOGIN_MAX_FAILURES,
                        Type.INT,
                        5,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Failed logins allowed per user name and per client address within"
                                + " review.login.window.ms; further attempts are refused (429) until it passes.")
                .define(
                        REVIEW_LOGIN_WINDOW_MS,
                        Type.LONG,
                        300_000L,
                        Range.atLeast(1000),
                        Importance.LOW,
                        "The window of review.login.max.failures.")
                .define(
                        REVIEW_SESSION_TIMEOUT_MS,
                        Type.LONG,
                        8L * 3600 * 1000,
                        Range.atLeast(60_000),
                        Importance.LOW,
                        "Idle time after which a console session ends.")
                .define(
                        REVIEW_BANK_POSITIVE,
                        Type.STRING,
                        "reviewed-confirmed",
                        new ConfigDef.NonEmptyString(),
                        Importance.LOW,
                        "Positive bank that the console's \"add to bank\" adds confirmed images to.")
                .define(
                        REVIEW_BANK_NEGATIVE,
                        Type.STRING,
                        "reviewed-overturned",
                        new ConfigDef.NonEmptyString(),
                        Importance.LOW,
                        "Negative bank that the console's \"not this again\" adds overturned" + " images to.");
    }
}
