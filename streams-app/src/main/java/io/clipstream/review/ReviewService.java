package io.clipstream.review;

import io.clipstream.banks.BankTopic;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.registry.SchemaRegistryClients;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.topology.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code clipstream review}: the console's Kafka Streams state, its transactional decision producer, the banks
 * topic for its bank actions, and the web server, started together and closed in reverse order.
 */
public final class ReviewService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReviewService.class);

    private final KafkaStreams streams;
    private final KafkaProducer<String, ReviewDecision> producer;
    private final BankTopic banks;
    private final SchemaRegistryClient registry;
    private final ReviewConsole console;
    private boolean closed;

    private ReviewService(
            KafkaStreams streams,
            KafkaProducer<String, ReviewDecision> producer,
            BankTopic banks,
            SchemaRegistryClient registry,
            ReviewConsole console) {
        this.streams = streams;
        this.producer = producer;
        this.banks = banks;
        this.registry = registry;
        this.console = console;
    }

    /**
     * Starts the console on {@code config}.
     *
     * @throws ConfigException naming the setting at fault (no users, a bad key store, ...)
     */
    public static ReviewService start(ClipStreamConfig config) {
        ConsoleUsers users = ConsoleUsers.parse(config.getList(ReviewKeys.REVIEW_USERS));
        ReviewConsole.Tls tls = tls(config);
        SchemaRegistryClient registry = SchemaRegistryClients.create(config.registrySettings());
        KafkaStreams streams = null;
        KafkaProducer<String, ReviewDecision> producer = null;
        BankTopic banks = null;
        try {
            Topics topics = Topics.of(config, registry);
            if (config.getBoolean(ClipStreamConfig.TOPIC_CREATE)) {
                createTopics(config, topics);
            }
            streams = new KafkaStreams(ReviewStateTopology.build(topics), streamsProperties(config));
            streams.start();
            awaitRunning(streams, Duration.ofSeconds(120));
            producer = new KafkaProducer<>(
                    producerProperties(config),
                    new StringSerializer(),
                    topics.reviewDecisions().valueSerde().serializer());
            producer.initTransactions();
            KafkaProducer<String, ReviewDecision> p = producer;
            String decisionsTopic = topics.reviewDecisions().name();
            DecisionSink sink = decision -> publish(p, decisionsTopic, decision);
            StreamsReviewState state = new StreamsReviewState(streams);
            banks = new BankTopic(clientConfig(config), registry, config.topic(ClipStreamConfig.TOPIC_BANKS));
            BankTopic b = banks;
            BankActions actions = new BankActions(
                    entry -> b.publish(List.of(Map.entry(BankTopic.keyOf(entry), entry))),
                    config.getString(ReviewKeys.REVIEW_BANK_POSITIVE),
                    config.getString(ReviewKeys.REVIEW_BANK_NEGATIVE));
            ReviewConsole console = new ReviewConsole(
                    config.getString(ReviewKeys.REVIEW_HTTP_HOST),
                    config.getInt(ReviewKeys.REVIEW_HTTP_PORT),
                    tls,
                    users,
                    new ConsoleSessions(Duration.ofMillis(config.getLong(ReviewKeys.REVIEW_SESSION_TIMEOUT_MS))),
                    new LoginThrottle(
                            config.getInt(ReviewKeys.REVIEW_LOGIN_MAX_FAILURES),
                            config.getLong(ReviewKeys.REVIEW_LOGIN_WINDOW_MS)),
                    state,
                    new DecisionDesk(state, sink, Duration.ofSeconds(5)),
                    actions,
                    Clock.systemUTC());
            return new ReviewService(streams, producer, banks, registry, console);
        } catch (RuntimeException e) {
            closeAll(banks, producer, streams == null ? null : (AutoCloseable) streams::close, registry);
            throw e;
        }
    }

    /** One decision in its own transaction, so read_committed consumers see it once it is decided. */
    private static synchronized void publish(
            KafkaProducer<String, ReviewDecision> producer, String topic, ReviewDecision decision) {
        producer.beginTransaction();
        try {
            producer.send(new ProducerRecord<>(
                            topic, DecisionLedger.key(decision.getEventId(), decision.getPolicyId()), decision))
                    .get(30, TimeUnit.SECONDS);
            producer.commitTransaction();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            producer.abortTransaction();
            throw new IllegalStateException("interrupted while publishing a decision", e);
        } catch (ExecutionException | TimeoutException e) {
            producer.abortTransaction();
            throw new IllegalStateException("cannot publish the decision: " + e.getMessage(), e);
        }
    }

    /** Waits until the state is restored and the app runs, so the console's first page is complete. */
    private static void awaitRunning(KafkaStreams streams, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING
                    || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the review state did not start (Kafka Streams is " + streams.state() + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the review state", e);
            }
        }
    }

    private static ReviewConsole.Tls tls(ClipStreamConfig config) {
        String location = config.getString(ReviewKeys.REVIEW_SSL_KEYSTORE_LOCATION);
        if (location == null || location.isBlank()) {
            return null;
        }
        Path path = Path.of(location);
        if (!java.nio.file.Files.isReadable(path)) {
            throw new ConfigException(ReviewKeys.REVIEW_SSL_KEYSTORE_LOCATION, location, "no readable key store there");
        }
        var password = config.getPassword(ReviewKeys.REVIEW_SSL_KEYSTORE_PASSWORD);
        return new ReviewConsole.Tls(
                path,
                password == null ? null : password.value(),
                config.getString(ReviewKeys.REVIEW_SSL_KEYSTORE_TYPE));
    }

    private static Map<String, Object> clientConfig(ClipStreamConfig config) {
        Map<String, Object> props = new HashMap<>(config.kafkaSettings());
        props.put("bootstrap.servers", String.join(",", config.getList(ClipStreamConfig.BOOTSTRAP_SERVERS)));
        return props;
    }

    private static Properties streamsProperties(ClipStreamConfig config) {
        Properties props = new Properties();
        props.putAll(config.kafkaSettings());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ReviewKeys.REVIEW_APPLICATION_ID));
        props.put(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", config.getList(ClipStreamConfig.BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(ClipStreamConfig.STATE_DIR));
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), 4 * 1024 * 1024);
        return props;
    }

    private static Map<String, Object> producerProperties(ClipStreamConfig config) {
        Map<String, Object> props = clientConfig(config);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                config.getString(ReviewKeys.REVIEW_APPLICATION_ID) + "-decisions-" + UUID.randomUUID());
        return props;
    }

    private static void createTopics(ClipStreamConfig config, Topics topics) {
        List<NewTopic> wanted = new java.util.ArrayList<>(ReviewTopics.newTopics(
                ClipStreamConfig.of(Map.of(
                        ReviewKeys.REVIEW_ITEMS_ENABLED,
                        "true",
                        ReviewKeys.REVIEW_ITEMS_RETENTION_MS,
                        Long.toString(config.getLong(ReviewKeys.REVIEW_ITEMS_RETENTION_MS)))),
                topics,
                config.getInt(ClipStreamConfig.TOPIC_PARTITIONS),
                config.getShort(ClipStreamConfig.TOPIC_REPLICATION_FACTOR)));
        try (Admin admin = Admin.create(clientConfig(config))) {
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                    LOG.info("Created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic " + entry.getKey() + ": "
                                        + e.getCause().getMessage(),
                                e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the review topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "timed out creating the review topics on " + config.getList(ClipStreamConfig.BOOTSTRAP_SERVERS), e);
        }
    }

    /** The console's address. */
    public String url() {
        return console.url();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeAll(console, banks, producer, (AutoCloseable) streams::close, registry);
    }

    /** Closes each in order, each even when one before failed (logged by name). */
    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception | Error e) {
                LOG.warn("Closing {} failed: {}", resource.getClass().getSimpleName(), String.valueOf(e));
            }
        }
    }
}
