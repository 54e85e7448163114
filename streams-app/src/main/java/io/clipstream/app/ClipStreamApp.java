package io.clipstream.app;

import io.clipstream.banks.ActiveBanks;
import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.ModelFolder;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.image.BudgetedPreprocessor;
import io.clipstream.image.DecodeMemoryBudget;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.JpegDecoding;
import io.clipstream.labels.ActiveLabelSets;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.labels.ModelFingerprint;
import io.clipstream.observe.HttpEndpoints;
import io.clipstream.observe.PipelineMetrics;
import io.clipstream.observe.ProgressMonitor;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.registry.SchemaRegistryClients;
import io.clipstream.topology.BatchingSettings;
import io.clipstream.topology.ClipStreamTopology;
import io.clipstream.topology.InferenceBatcher;
import io.clipstream.topology.PipelineResources;
import io.clipstream.topology.PixelDecoder;
import io.clipstream.topology.Topics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running ClipStream processor: the model loaded once, the decode pool, the inference batcher, Kafka Streams
 * on the topology, and the HTTP endpoints. {@link #close()} shuts down gracefully: Kafka Streams finishes the
 * batch in flight and commits, then the batcher, the pool and the model session are released.
 */
public final class ClipStreamApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClipStreamApp.class);

    private final ClipStreamConfig config;
    private final ImageEncoder encoder;
    private final ExecutorService decodePool;
    private final InferenceBatcher batcher;
    private final SchemaRegistryClient registry;
    private final ActiveLabelSets labelSets;
    private final ActiveBanks banks;
    private final PipelineMetrics metrics;
    private final PrometheusMeterRegistry prometheus;
    private final KafkaStreams streams;
    private final HttpEndpoints http;
    private final ProgressMonitor progress;
    private final ModelProbe modelProbe;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

    /** What the constructor opened so far, closed in reverse when start-up fails half-way. */
    private final java.util.Deque<AutoCloseable> opened = new java.util.ArrayDeque<>();

    private ClipStreamApp(ClipStreamConfig config) throws IOException {
        this.config = config;
        try {
            LOG.info("Starting ClipStream with {}", config);
            ModelFolder folder = ModelFolder.open(
                    Path.of(config.getString(ClipStreamConfig.MODEL_DIR)),
                    config.getString(ClipStreamConfig.MODEL_VARIANT));
            String fingerprint =
                    config.getString(ClipStreamConfig.MODEL_FINGERPRINT).isBlank()
                            ? ModelFingerprint.of(folder)
                            : config.getString(ClipStreamConfig.MODEL_FINGERPRINT);
            String modelId = config.getString(ClipStreamConfig.MODEL_ID).isBlank()
                    ? folder.modelId()
                    : config.getString(ClipStreamConfig.MODEL_ID);
            JpegDecoding jpeg = config.jpegDecoding();
            encoder = ImageEncoder.open(folder, config.inferenceOptions());
            opened.push(encoder);
            LOG.info(
                    "Model {} ({}) on {}: {} px, {}-d embeddings, label-set fingerprint {}",
                    modelId,
                    folder.layout().id(),
                    encoder.device(),
                    encoder.imageSize(),
                    encoder.dimension(),
                    fingerprint);
            prometheus = PipelineMetrics.prometheusRegistry(encoder.device().toString());
            metrics = new PipelineMetrics(prometheus, encoder.device().toString());
            LOG.info("{}", jpeg.describe());
            metrics.jpegDecoder(jpeg.decoderName(), jpeg.draftActive());
            decodePool = decodePool(config.getInt(ClipStreamConfig.DECODE_THREADS));
            opened.push(decodePool::shutdownNow);
            batcher = new InferenceBatcher(
                    encoder::embed,
                    config.getInt(ClipStreamConfig.INFERENCE_MAX_BATCH_SIZE),
                    Duration.ofMillis(config.getLong(ClipStreamConfig.INFERENCE_MAX_QUEUE_DELAY_MS)),
                    metrics::inferenceRun);
            opened.push(batcher);
            registry = SchemaRegistryClients.create(config.registrySettings());
            opened.push(registry);
            checkKafka();
            labelSets = new ActiveLabelSets(fingerprint, encoder.dimension()).routedBy(config.labelRouting());
            Topics topics = Topics.of(config, registry);
            if (config.getBoolean(ClipStreamConfig.TOPIC_CREATE)) {
                createTopics(topics);
            }
            progress = new ProgressMonitor(
                    config.getInt(ClipStreamConfig.HEALTH_MAX_BATCH_FAILURES),
                    config.getInt(ClipStreamConfig.HEALTH_MAX_THREAD_REPLACEMENTS),
                    Duration.ofMillis(config.getLong(ClipStreamConfig.HEALTH_THREAD_REPLACEMENT_WINDOW_MS)),
                    System::nanoTime);
            DecodeMemoryBudget budget = decodeMemoryBudget(config);
            modelProbe = new ModelProbe(
                    batcher,
                    encoder.imageSize(),
                    encoder.device() + ", " + encoder.dimension() + "-d",
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(10),
                    System::nanoTime);
            banks = new ActiveBanks(ModelFingerprint.ofImageTower(folder), encoder.dimension());
            ImagePreprocessor preprocessor = encoder.preprocessor().withJpegDecoding(jpeg);
            PipelineResources resources = new PipelineResources(
                    preprocessor,
                    decodePool,
                    batcher,
                    labelSets,
                    config.labelSets(),
                    modelId,
                    metrics,
                    PixelDecoder.of(
                            new BudgetedPreprocessor(preprocessor, budget, PipelineResources.DECODE_MEMORY_WAIT)),
                    progress,
                    banks);
            streams = kafkaStreams(topics, resources);
            opened.push(() -> streams.close(Duration.ZERO));
            http = new HttpEndpoints(
                    config.getString(ClipStreamConfig.HTTP_HOST),
                    config.getInt(ClipStreamConfig.HTTP_PORT),
                    prometheus,
                    this::liveness,
                    this::readiness);
            opened.push(http);
            startStreams();
        } catch (IOException | RuntimeException e) {
            closeOpened();
            throw e;
        }
        LOG.info("ClipStream started; metrics, health and readiness on port {}", http.port());
    }

    /** The pool that decodes and preprocesses images: daemon threads, a bounded queue, the caller runs when full. */
    private static ExecutorService decodePool(int threads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(
                threads,
                threads,
                0,
                TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(threads * 64),
                r -> {
                    Thread t = new Thread(r, "clipstream-decode-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                new ThreadPoolExecutor.CallerRunsPolicy());
    }

    private static DecodeMemoryBudget decodeMemoryBudget(ClipStreamConfig config) {
        DecodeMemoryBudget budget = config.getLong(ClipStreamConfig.DECODE_MEMORY_BYTES) > 0
                ? new DecodeMemoryBudget(config.getLong(ClipStreamConfig.DECODE_MEMORY_BYTES), "decode.memory.bytes")
                : DecodeMemoryBudget.ofHeapFraction(config.getDouble(ClipStreamConfig.DECODE_MEMORY_FRACTION));
        LOG.info("Decode-memory budget {} MB", budget.capacity() / 1_000_000);
        return budget;
    }

    /** Kafka Streams on the topology: stream threads replaced on failure, stop noticed, metrics bound. */
    private KafkaStreams kafkaStreams(Topics topics, PipelineResources resources) {
        KafkaStreams kafka = new KafkaStreams(
                ClipStreamTopology.buildTopology(topics, registry, resources, BatchingSettings.of(config)),
                streamsProperties(),
                StaticMembership.clientSupplier(
                        config.getString(ClipStreamConfig.APPLICATION_ID),
                        config.getString(ClipStreamConfig.INSTANCE_ID)));
        kafka.setUncaughtExceptionHandler(error -> {
            LOG.error("Stream thread failed; replacing it", error);
            progress.threadReplaced();
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        kafka.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                stopped.countDown();
            }
        });
        new KafkaStreamsMetrics(kafka).bindTo(prometheus);
        return kafka;
    }

    private void startStreams() {
        try {
            streams.start();
        } catch (org.apache.kafka.streams.errors.StreamsException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalStateException("Kafka Streams failed to start: " + root.getMessage(), e);
        }
    }

    /**
     * Starts the processor.
     *
     * @throws io.clipstream.clip.ModelLoadException when the model cannot be used
     * @throws org.apache.kafka.common.config.ConfigException for invalid settings
     */
    public static ClipStreamApp start(ClipStreamConfig config) {
        try {
            return new ClipStreamApp(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Fails start-up at once, with the reason, when Kafka cannot be reached or refuses the credentials, instead of
     * leaving the stream threads to retry in the background.
     */
    private void checkKafka() {
        String servers = String.join(",", config.getList(ClipStreamConfig.BOOTSTRAP_SERVERS));
        Properties props = adminProperties();
        props.put("request.timeout.ms", "20000");
        props.put("default.api.timeout.ms", "30000");
        try (Admin admin = Admin.create(props)) {
            admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException auth) {
                throw new IllegalStateException(
                        "Kafka authentication failed for " + servers + " (security.protocol="
                                + config.kafkaSettings().getOrDefault("security.protocol", "PLAINTEXT")
                                + ", sasl.mechanism="
                                + config.kafkaSettings().getOrDefault("sasl.mechanism", "none") + "): "
                                + auth.getMessage(),
                        auth);
            }
            throw new IllegalStateException(
                    "cannot reach Kafka at " + servers + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + servers + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka", e);
        }
    }

    private Properties streamsProperties() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ClipStreamConfig.APPLICATION_ID));
        props.put(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG,
                String.join(",", config.getList(ClipStreamConfig.BOOTSTRAP_SERVERS)));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.getString(ClipStreamConfig.PROCESSING_GUARANTEE));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(ClipStreamConfig.NUM_STREAM_THREADS));
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.getLong(ClipStreamConfig.COMMIT_INTERVAL_MS));
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(ClipStreamConfig.STATE_DIR));
        int recordBytes = TopicLimits.recordBytes(config.getInt(ClipStreamConfig.IMAGE_MAX_BYTES));
        props.put(StreamsConfig.producerPrefix("max.request.size"), Math.max(16 * 1024 * 1024, recordBytes));
        // the buffer store's changelog carries whole events
        props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Integer.toString(recordBytes));
        props.putAll(StaticMembership.consumerSettings(config.getString(ClipStreamConfig.INSTANCE_ID)));
        // Bound what waits in memory before the processor: image events are large, so Kafka's defaults (1,000
        // records per partition, 50 MB per fetch) would let a burst fill the heap. Overridable with kafka.*.
        props.put(
                StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG,
                Math.max(32, 2 * config.getInt(ClipStreamConfig.BATCH_MAX_SIZE)));
        props.put(StreamsConfig.mainConsumerPrefix("fetch.max.bytes"), 16 * 1024 * 1024);
        props.put(StreamsConfig.mainConsumerPrefix("max.partition.fetch.bytes"), 4 * 1024 * 1024);
        props.put(StreamsConfig.mainConsumerPrefix("max.poll.records"), 256);
        props.putAll(config.kafkaSettings());
        return props;
    }

    private Properties adminProperties() {
        Properties props = new Properties();
        props.putAll(config.kafkaSettings());
        props.put("bootstrap.servers", String.join(",", config.getList(ClipStreamConfig.BOOTSTRAP_SERVERS)));
        return props;
    }

    private void createTopics(Topics topics) {
        int partitions = config.getInt(ClipStreamConfig.TOPIC_PARTITIONS);
        short replication = config.getShort(ClipStreamConfig.TOPIC_REPLICATION_FACTOR);
        List<NewTopic> wanted = new ArrayList<>();
        String recordBytes = Integer.toString(TopicLimits.recordBytes(config.getInt(ClipStreamConfig.IMAGE_MAX_BYTES)));
        for (String name : List.of(
                topics.imageEvents().name(),
                topics.imageTags().name(),
                topics.policyFlags().name(),
                topics.deadLetters().name(),
                topics.imageEmbeddings().name(),
                topics.bankMatches().name(),
                topics.imageTagsShadow().name(),
                topics.policyFlagsShadow().name())) {
            NewTopic topic = new NewTopic(name, java.util.Optional.of(partitions), java.util.Optional.of(replication));
            if (name.equals(topics.imageEvents().name())
                    || name.equals(topics.deadLetters().name())) {
                topic.configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, recordBytes));
            }
            if (name.equals(topics.imageEmbeddings().name())) {
                topic.configs(Map.of(
                        TopicConfig.RETENTION_MS_CONFIG,
                        Long.toString(config.getLong(ClipStreamConfig.TOPIC_IMAGE_EMBEDDINGS_RETENTION_MS))));
            }
            wanted.add(topic);
        }
        wanted.add(new NewTopic(topics.labelSets().name(), java.util.Optional.of(1), java.util.Optional.of(replication))
                .configs(Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG,
                        TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG,
                        Integer.toString(LabelSetPublisher.MAX_MESSAGE_BYTES))));
        wanted.add(new NewTopic(topics.banks().name(), java.util.Optional.of(1), java.util.Optional.of(replication))
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
        wanted.addAll(io.clipstream.review.ReviewTopics.newTopics(config, topics, partitions, replication));
        try (Admin admin = Admin.create(adminProperties())) {
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
            TopicLimits.warnWhereSmaller(
                    admin,
                    List.of(topics.imageEvents().name(), topics.deadLetters().name()),
                    Integer.parseInt(recordBytes),
                    config.getInt(ClipStreamConfig.IMAGE_MAX_BYTES));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "timed out creating topics on " + config.getList(ClipStreamConfig.BOOTSTRAP_SERVERS), e);
        }
    }

    private Map<String, HttpEndpoints.Check> liveness() {
        KafkaStreams.State state = streams.state();
        boolean failed = state == KafkaStreams.State.ERROR
                || state == KafkaStreams.State.PENDING_ERROR
                || (state == KafkaStreams.State.NOT_RUNNING && !closing.get());
        return Map.of("streams", new HttpEndpoints.Check(!failed, state.name()), "progress", progress.check());
    }

    private Map<String, HttpEndpoints.Check> readiness() {
        Map<String, HttpEndpoints.Check> checks = new LinkedHashMap<>();
        checks.put("model", modelProbe.check());
        int sets = labelSets.snapshot().size();
        checks.put("labelSets", new HttpEndpoints.Check(sets > 0, sets + " active"));
        KafkaStreams.State state = streams.state();
        checks.put("streams", new HttpEndpoints.Check(state == KafkaStreams.State.RUNNING, state.name()));
        return checks;
    }

    /** Kafka Streams, for state and tests. */
    public KafkaStreams streams() {
        return streams;
    }

    /** The pipeline metrics. */
    public PipelineMetrics metrics() {
        return metrics;
    }

    /** The active label sets. */
    public ActiveLabelSets labelSets() {
        return labelSets;
    }

    /** The known-content banks the processor matches against. */
    public ActiveBanks banks() {
        return banks;
    }

    /** The HTTP port bound. */
    public int httpPort() {
        return http.port();
    }

    private void closeOpened() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                LOG.warn("Closing after a failed start-up: {}", e.getMessage());
            }
        }
    }

    /** Blocks until Kafka Streams has stopped (closed, or failed for good). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Waits until Kafka Streams is RUNNING, or fails after {@code timeout}. */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Kafka Streams not RUNNING after " + timeout + ": " + streams.state());
            }
            Thread.sleep(50);
        }
    }

    /**
     * Idempotent; each resource is closed even when closing an earlier one fails. A second caller waits until the
     * first has finished, so that nothing exits while the model is still in use.
     */
    @Override
    public synchronized void close() {
        if (closing.compareAndSet(false, true)) {
            LOG.info("Shutting down: finishing the batch in flight and committing");
            CloseAll.run(
                    LOG,
                    List.of(
                            CloseAll.step("Kafka Streams", () -> streams.close(Duration.ofSeconds(60))),
                            CloseAll.step("inference batcher", batcher::close),
                            CloseAll.step("decode pool", decodePool::shutdown),
                            CloseAll.step("HTTP endpoints", http::close),
                            CloseAll.step("model session", encoder::close),
                            CloseAll.step("schema registry client", registry::close),
                            CloseAll.step("metrics registry", prometheus::close)));
            LOG.info("ClipStream stopped");
        }
    }
}
