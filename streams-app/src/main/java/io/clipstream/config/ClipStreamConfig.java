package io.clipstream.config;

import io.clipstream.clip.ExecutionDevice;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.image.JpegDecoding;
import io.clipstream.registry.RegistrySettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The application's one typed configuration: every key with its type, default, validation and documentation.
 * Values come from a properties file and are overridden by environment variables ({@code CLIPSTREAM_} + the key in
 * upper case with dots as underscores, e.g. {@code CLIPSTREAM_BATCH_MAX_SIZE}). Keys starting with {@code kafka.}
 * are passed through, without the prefix, to Kafka Streams and its clients (SASL, SSL, tuning); from the
 * environment, {@code CLIPSTREAM_KAFKA_SASL_MECHANISM} becomes {@code kafka.sasl.mechanism}.
 */
public final class ClipStreamConfig extends AbstractConfig {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClipStreamConfig.class);

    /** Prefix of environment variables that override keys. */
    public static final String ENV_PREFIX = "CLIPSTREAM_";
    /** Prefix of keys passed through to Kafka. */
    public static final String KAFKA_PREFIX = "kafka.";

    public static final String APPLICATION_ID = "application.id";
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String NUM_STREAM_THREADS = "num.stream.threads";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    public static final String STATE_DIR = "state.dir";

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO = "schema.registry.basic.auth.user.info";
    public static final String SCHEMA_REGISTRY_BEARER_TOKEN = "schema.registry.bearer.token";
    public static final String SCHEMA_REGISTRY_TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String SCHEMA_REGISTRY_AUTO_REGISTER = "schema.registry.auto.register";

    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String TOPIC_IMAGE_EVENTS = "topic.image.events";
    public static final String TOPIC_IMAGE_TAGS = "topic.image.tags";
    public static final String TOPIC_POLICY_FLAGS = "topic.policy.flags";
    public static final String TOPIC_IMAGE_EMBEDDINGS = "topic.image.embeddings";
    public static final String TOPIC_DEAD_LETTERS = "topic.dead.letters";
    public static final String TOPIC_LABEL_SETS = "topic.label.sets";
    public static final String TOPIC_BANKS = "topic.banks";
    public static final String TOPIC_BANK_MATCHES = "topic.bank.matches";
    public static final String TOPIC_CREATE = "topic.create";
    public static final String TOPIC_PARTITIONS = "topic.partitions";
    public static final String TOPIC_REPLICATION_FACTOR = "topic.replication.factor";

    public static final String MODEL_DIR = "model.dir";
    public static final String MODEL_VARIANT = "model.variant";
    public static final String MODEL_ID = "model.id";
    public static final String MODEL_FINGERPRINT = "model.fingerprint";
    public static final String INFERENCE_DEVICE = "inference.device";
    public static final String INFERENCE_CUDA_FALLBACK = "inference.cuda.fallback";
    public static final String INFERENCE_INTRA_OP_THREADS = "inference.intra.op.threads";
    public static final String INFERENCE_ALLOW_SPINNING = "inference.allow.spinning";
    public static final String INFERENCE_MAX_BATCH_SIZE = "inference.max.batch.size";
    public static final String INFERENCE_MAX_QUEUE_DELAY_MS = "inference.max.queue.delay.ms";

    public static final String BATCH_MAX_SIZE = "batch.max.size";
    public static final String BATCH_MAX_DELAY_MS = "batch.max.delay.ms";
    public static final String DECODE_THREADS = "decode.threads";
    public static final String PREPROCESS_JPEG_DECODER = "preprocess.jpeg.decoder";
    public static final String PREPROCESS_JPEG_DRAFT = "preprocess.jpeg.draft";

    public static final String IMAGE_MAX_BYTES = "image.max.bytes";
    public static final String IMAGE_MAX_PIXELS = "image.max.pixels";
    public static final String IMAGE_REFERENCES_ENABLED = "image.references.enabled";
    public static final String IMAGE_REFERENCES_ALLOWED_HOSTS = "image.references.allowed.hosts";
    public static final String IMAGE_REFERENCES_CONNECT_TIMEOUT_MS = "image.references.connect.timeout.ms";
    public static final String IMAGE_REFERENCES_TIMEOUT_MS = "image.references.timeout.ms";
    public static final String IMAGE_REFERENCES_MAX_REDIRECTS = "image.references.max.redirects";

    public static final String LABELS_SETS = "labels.sets";
    public static final String LABELS_APPLIES_TO = "labels.applies.to";
    public static final String OUTPUT_EMBEDDINGS_ENABLED = "output.embeddings.enabled";
    public static final String TOPIC_IMAGE_EMBEDDINGS_RETENTION_MS = "topic.image.embeddings.retention.ms";

    public static final String PROCESSING_MAX_ATTEMPTS = "processing.max.attempts";
    public static final String DECODE_MEMORY_FRACTION = "decode.memory.fraction";
    public static final String DECODE_MEMORY_BYTES = "decode.memory.bytes";
    public static final String HEALTH_MAX_BATCH_FAILURES = "health.max.batch.failures";
    public static final String HEALTH_MAX_THREAD_REPLACEMENTS = "health.max.thread.replacements";
    public static final String HEALTH_THREAD_REPLACEMENT_WINDOW_MS = "health.thread.replacement.window.ms";
    public static final String INSTANCE_ID = "instance.id";

    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_HOST = "http.host";

    /** Variables the launcher and logging read, which are not configuration keys. */
    private static final java.util.Set<String> LAUNCHER_VARIABLES =
            java.util.Set.of("CLIPSTREAM_DEBUG", "CLIPSTREAM_JAVA_OPTS", "CLIPSTREAM_LOG_LEVEL", "CLIPSTREAM_HOME");

    private static final ConfigDef DEFINITION = define();

    private static ConfigDef define() {
        int cores = Runtime.getRuntime().availableProcessors();
        return io.clipstream.review.ReviewKeys.define(new ConfigDef()
                .define(
                        APPLICATION_ID,
                        Type.STRING,
                        "clipstream",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Kafka Streams application id: the consumer group, and the prefix of internal topics.")
                .define(
                        BOOTSTRAP_SERVERS,
                        Type.LIST,
                        "localhost:9092",
                        Importance.HIGH,
                        "Kafka brokers to bootstrap from (host:port, comma-separated).")
                .define(
                        PROCESSING_GUARANTEE,
                        Type.STRING,
                        "exactly_once_v2",
                        ValidString.in("exactly_once_v2", "at_least_once"),
                        Importance.HIGH,
                        "exactly_once_v2: every event yields its results once, even across crashes (transactions;"
                                + " read outputs with isolation.level=read_committed). at_least_once: faster commits,"
                                + " duplicates possible after a crash.")
                .define(
                        NUM_STREAM_THREADS,
                        Type.INT,
                        1,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Kafka Streams threads. Decoding and inference run on their own pools, so few are needed;"
                                + " instances x threads beyond the partition count sit idle.")
                .define(
                        COMMIT_INTERVAL_MS,
                        Type.LONG,
                        100L,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "How often Kafka Streams commits (and, under exactly-once, ends a transaction).")
                .define(
                        STATE_DIR,
                        Type.STRING,
                        Path.of(System.getProperty("java.io.tmpdir"), "clipstream-state")
                                .toString(),
                        Importance.MEDIUM,
                        "Directory of the local state stores (the event buffer).")
                .define(
                        SCHEMA_REGISTRY_URL,
                        Type.LIST,
                        "mock://clipstream",
                        Importance.HIGH,
                        "Confluent-compatible schema registry URL(s), comma-separated; mock://SCOPE is an in-memory"
                                + " registry (tests and the embedded demo only). run requires a real URL, given"
                                + " explicitly.")
                .define(
                        SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "user:password for HTTP basic authentication to the schema registry.")
                .define(
                        SCHEMA_REGISTRY_BEARER_TOKEN,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Bearer token for the schema registry (instead of basic authentication).")
                .define(
                        SCHEMA_REGISTRY_TRUSTSTORE_LOCATION,
                        Type.STRING,
                        null,
                        Importance.LOW,
                        "Trust store (JKS or PKCS12) for a schema registry served over TLS by a private CA.")
                .define(
                        SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD,
                        Type.PASSWORD,
                        null,
                        Importance.LOW,
                        "Password of the schema registry trust store.")
                .define(
                        SCHEMA_REGISTRY_AUTO_REGISTER,
                        Type.BOOLEAN,
                        true,
                        Importance.MEDIUM,
                        "Register output schemas on first use; when false they must already be registered.")
                .define(
                        TOPIC_PREFIX,
                        Type.STRING,
                        "",
                        Importance.MEDIUM,
                        "Prefix added to every topic name below (e.g. 'prod.').")
                .define(
                        TOPIC_IMAGE_EVENTS,
                        Type.STRING,
                        "image-events",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Input topic of ImageEvent records.")
                .define(
                        TOPIC_IMAGE_TAGS,
                        Type.STRING,
                        "image-tags",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Output topic of ImageTags records (one per event and label set).")
                .define(
                        TOPIC_POLICY_FLAGS,
                        Type.STRING,
                        "policy-flags",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Output topic of PolicyFlag records (only when a policy fires).")
                .define(
                        TOPIC_IMAGE_EMBEDDINGS,
                        Type.STRING,
                        "image-embeddings",
                        new ConfigDef.NonEmptyString(),
                        Importance.LOW,
                        "Output topic of ImageEmbedding records, when enabled.")
                .define(
                        TOPIC_DEAD_LETTERS,
                        Type.STRING,
                        "dead-letters",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Dead-letter topic: original bytes plus error headers.")
                .define(
                        TOPIC_LABEL_SETS,
                        Type.STRING,
                        "label-sets",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Compacted topic of compiled LabelSet records, keyed by name.")
                .define(
                        TOPIC_BANKS,
                        Type.STRING,
                        "banks",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Compacted topic of known-content banks (BankEntry records): key NAME for a bank's settings,"
                                + " NAME/ITEM for one item; a tombstone removes it.")
                .define(
                        TOPIC_BANK_MATCHES,
                        Type.STRING,
                        "bank-matches",
                        new ConfigDef.NonEmptyString(),
                        Importance.MEDIUM,
                        "Output topic of BankMatch records (one per image and matched bank).")
                .define(
                        TOPIC_CREATE,
                        Type.BOOLEAN,
                        true,
                        Importance.MEDIUM,
                        "Create missing topics at start-up (label-set topic compacted, with a 64 MiB message limit).")
                .define(
                        TOPIC_PARTITIONS,
                        Type.INT,
                        4,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Partitions of topics created at start-up.")
                .define(
                        TOPIC_REPLICATION_FACTOR,
                        Type.SHORT,
                        (short) -1,
                        Importance.MEDIUM,
                        "Replication factor of topics created at start-up; -1 uses the broker default.")
                .define(
                        MODEL_DIR,
                        Type.STRING,
                        "models/tiny-shapes",
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "CLIP model folder (open_clip/Immich or Hugging Face layout). run requires"
                                + " it explicitly: the default, the built-in toy model, is for the demo and tests.")
                .define(
                        MODEL_VARIANT,
                        Type.STRING,
                        "",
                        Importance.LOW,
                        "Hugging Face graph variant to load: '' (full precision), fp16, quantized, ...")
                .define(
                        MODEL_ID,
                        Type.STRING,
                        "",
                        Importance.LOW,
                        "Model id written on results; empty uses the model folder's name.")
                .define(
                        MODEL_FINGERPRINT,
                        Type.STRING,
                        "",
                        Importance.LOW,
                        "Fingerprint label sets must carry; empty computes it from the folder's text model and"
                                + " tokenizer (give it when the folder holds only the image tower).")
                .define(
                        INFERENCE_DEVICE,
                        Type.STRING,
                        "cpu",
                        new DeviceValidator(),
                        Importance.HIGH,
                        "Where inference runs: cpu, cuda or cuda:N (needs the gpu build).")
                .define(
                        INFERENCE_CUDA_FALLBACK,
                        Type.BOOLEAN,
                        false,
                        Importance.MEDIUM,
                        "When CUDA is asked for but cannot load: run on the CPU (true) or fail at start-up.")
                .define(
                        INFERENCE_INTRA_OP_THREADS,
                        Type.INT,
                        0,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "ONNX Runtime intra-op threads; 0 = one per core.")
                .define(
                        INFERENCE_ALLOW_SPINNING,
                        Type.BOOLEAN,
                        false,
                        Importance.LOW,
                        "Let idle ONNX Runtime threads spin; off, since spinning steals shared cores from decoding.")
                .define(
                        INFERENCE_MAX_BATCH_SIZE,
                        Type.INT,
                        32,
                        Range.between(1, 4096),
                        Importance.MEDIUM,
                        "Most images in one model run: the process-wide batcher merges stream threads' batches up"
                                + " to this size.")
                .define(
                        INFERENCE_MAX_QUEUE_DELAY_MS,
                        Type.LONG,
                        5L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "How long the process-wide batcher waits for more images to fill a model run.")
                .define(
                        BATCH_MAX_SIZE,
                        Type.INT,
                        16,
                        Range.between(1, 4096),
                        Importance.HIGH,
                        "A stream task flushes its buffered events when this many are waiting.")
                .define(
                        BATCH_MAX_DELAY_MS,
                        Type.LONG,
                        50L,
                        Range.atLeast(1),
                        Importance.HIGH,
                        "A stream task flushes when its oldest buffered event is this old (wall clock).")
                .define(
                        DECODE_THREADS,
                        Type.INT,
                        cores,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Threads that decode and preprocess images (the CPU bottleneck); default one per core.")
                .define(
                        PREPROCESS_JPEG_DECODER,
                        Type.STRING,
                        "auto",
                        ValidString.in("auto", "turbojpeg", "imageio"),
                        Importance.MEDIUM,
                        "JPEG decoder: auto (libjpeg-turbo when libturbojpeg.so.0 loads, else the"
                                + " JDK's ImageIO), turbojpeg (fail at start-up without it) or imageio. Both give Pillow's"
                                + " pixels exactly.")
                .define(
                        PREPROCESS_JPEG_DRAFT,
                        Type.BOOLEAN,
                        false,
                        Importance.LOW,
                        "Decode JPEGs at 1/2, 1/4 or 1/8 size while the short side stays >= 2x the model input"
                                + " (needs libjpeg-turbo). Several times faster, but NOT OpenAI's preprocessing: crops differ"
                                + " from Pillow's by a few levels (cosine to exact in docs/benchmarks.md).")
                .define(
                        IMAGE_MAX_BYTES,
                        Type.INT,
                        20 * 1024 * 1024,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Largest encoded image accepted; larger events go to dead letters (TOO_LARGE).")
                .define(
                        IMAGE_MAX_PIXELS,
                        Type.LONG,
                        50_000_000L,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Largest width x height accepted, read from the header before decoding (TOO_MANY_PIXELS).")
                .define(
                        IMAGE_REFERENCES_ENABLED,
                        Type.BOOLEAN,
                        false,
                        Importance.MEDIUM,
                        "Fetch images given by reference (URI). Off: such events go to dead letters"
                                + " (REFERENCE_NOT_ALLOWED).")
                .define(
                        IMAGE_REFERENCES_ALLOWED_HOSTS,
                        Type.LIST,
                        "",
                        Importance.MEDIUM,
                        "Hosts image references may be fetched from, every redirect hop included: exact names or"
                                + " *.example.com for subdomains. Only https and public addresses are ever fetched"
                                + " (loopback, private, link-local and metadata addresses are refused after"
                                + " resolution).")
                .define(
                        IMAGE_REFERENCES_CONNECT_TIMEOUT_MS,
                        Type.LONG,
                        2000L,
                        Range.between(1, 3_600_000),
                        Importance.LOW,
                        "Limit for each TCP connect to an image host.")
                .define(
                        IMAGE_REFERENCES_TIMEOUT_MS,
                        Type.LONG,
                        10_000L,
                        Range.between(1, 3_600_000),
                        Importance.LOW,
                        "Deadline of a whole fetch: DNS, connect, TLS, redirects and the body"
                                + " (REFERENCE_TIMEOUT); fetched bodies are capped at image.max.bytes.")
                .define(
                        IMAGE_REFERENCES_MAX_REDIRECTS,
                        Type.INT,
                        3,
                        Range.between(0, 20),
                        Importance.LOW,
                        "Most redirects followed; each hop is checked again (REFERENCE_REDIRECTS).")
                .define(
                        LABELS_SETS,
                        Type.LIST,
                        "",
                        Importance.MEDIUM,
                        "Names of the label sets to score with; empty scores with every set on the label-set topic.")
                .define(
                        LABELS_APPLIES_TO,
                        Type.LIST,
                        "",
                        new RoutingValidator(),
                        Importance.LOW,
                        "Which events each label set scores, replacing the set's own applies_to:"
                                + " NAME:source=uploads|avatars&surface=kids,... (source: the event's source, one of those"
                                + " given; any other key: an attribute with that value; NAME: alone: every event).")
                .define(
                        OUTPUT_EMBEDDINGS_ENABLED,
                        Type.BOOLEAN,
                        false,
                        Importance.LOW,
                        "Also emit each image's embedding to the image-embeddings topic. labels impact and labels"
                                + " backfill re-score these: enable it to re-score past traffic.")
                .define(
                        TOPIC_IMAGE_EMBEDDINGS_RETENTION_MS,
                        Type.LONG,
                        7L * 24 * 3600 * 1000,
                        Range.atLeast(-1),
                        Importance.LOW,
                        "retention.ms of the image-embeddings topic when the processor creates it"
                                + " (-1: keep forever): how far back labels impact and labels backfill can"
                                + " re-score. About 2.2 KB per 512-d embedding.")
                .define(
                        PROCESSING_MAX_ATTEMPTS,
                        Type.INT,
                        3,
                        Range.between(1, 100),
                        Importance.MEDIUM,
                        "Times processing of one event is started before it goes to dead letters: an event whose"
                                + " fetch, decode or embedding fails with an unexpected exception or an Error"
                                + " (RESOURCE_EXHAUSTED for OutOfMemoryError and StackOverflowError), or during"
                                + " which the process died (PROCESSING_CRASHED), is retried alone up to this count."
                                + " The count is stored with the buffered event, so restarts do not reset it.")
                .define(
                        DECODE_MEMORY_FRACTION,
                        Type.DOUBLE,
                        0.5,
                        Range.between(0.01, 0.95),
                        Importance.MEDIUM,
                        "Share of the JVM's max heap (-Xmx) that images being decoded may hold at once; the"
                                + " decoded size is read from the header first, large images wait their turn, and"
                                + " one that cannot fit even alone goes to dead letters (OVER_MEMORY_BUDGET).")
                .define(
                        DECODE_MEMORY_BYTES,
                        Type.LONG,
                        0L,
                        Range.atLeast(0),
                        Importance.LOW,
                        "The decode-memory budget in bytes; 0 uses decode.memory.fraction of the max heap.")
                .define(
                        HEALTH_MAX_BATCH_FAILURES,
                        Type.INT,
                        5,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "/health turns DOWN when this many batches in a row failed for a reason no single event"
                                + " explains (every model run fails, inference times out): the processor cannot"
                                + " make progress, so a liveness probe should restart it.")
                .define(
                        HEALTH_MAX_THREAD_REPLACEMENTS,
                        Type.INT,
                        3,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "/health turns DOWN when Kafka Streams replaced a failed stream thread this many times"
                                + " within health.thread.replacement.window.ms.")
                .define(
                        HEALTH_THREAD_REPLACEMENT_WINDOW_MS,
                        Type.LONG,
                        600_000L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "The window of health.max.thread.replacements.")
                .define(
                        INSTANCE_ID,
                        Type.STRING,
                        "",
                        Importance.MEDIUM,
                        "Stable id of this instance (Kafka static membership, group.instance.id): a restarted"
                                + " instance with the same id gets its partitions back at once, without waiting"
                                + " for the session timeout. Unique per instance and stable across restarts, e.g."
                                + " a StatefulSet pod name; empty uses dynamic membership.")
                .define(
                        HTTP_PORT,
                        Type.INT,
                        8080,
                        Range.between(0, 65535),
                        Importance.MEDIUM,
                        "Port of /metrics (Prometheus), /health and /ready; 0 picks a free port.")
                .define(HTTP_HOST, Type.STRING, "0.0.0.0", Importance.LOW, "Address the HTTP endpoints bind to."));
    }

    /** Accepts what {@link ExecutionDevice#parse} accepts. */
    private static final class DeviceValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                ExecutionDevice.parse((String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "cpu, cuda, cuda:N";
        }
    }

    /** Accepts what {@link io.clipstream.labels.ConfiguredRouting#parse} accepts. */
    private static final class RoutingValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            try {
                List<String> entries = value == null
                        ? List.of()
                        : ((List<?>) value).stream().map(String::valueOf).toList();
                io.clipstream.labels.ConfiguredRouting.parse(entries);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "NAME:source=A|B&KEY=VALUE,...";
        }
    }

    private final Map<String, String> kafka;

    private ClipStreamConfig(Map<String, String> values, Map<String, String> kafka) {
        super(DEFINITION, values, false);
        this.kafka = Map.copyOf(kafka);
    }

    /** The definition of every key (for documentation and tests). */
    public static ConfigDef definition() {
        return DEFINITION;
    }

    /**
     * Builds the configuration from file properties overridden by the environment.
     *
     * @throws ConfigException naming the key and the problem
     */
    public static ClipStreamConfig from(Map<String, String> properties, Map<String, String> environment) {
        Map<String, String> merged = new HashMap<>(properties);
        List<String> ignored = new java.util.ArrayList<>();
        for (Map.Entry<String, String> env : environment.entrySet()) {
            if (!env.getKey().startsWith(ENV_PREFIX) || LAUNCHER_VARIABLES.contains(env.getKey())) {
                continue;
            }
            String key = keyForEnv(env.getKey());
            if (key.startsWith(KAFKA_PREFIX) || DEFINITION.names().contains(key)) {
                merged.put(key, env.getValue());
            } else {
                // Kubernetes injects CLIPSTREAM_SERVICE_HOST, CLIPSTREAM_PORT_8080_TCP, ... for a Service named
                // clipstream, so an unknown variable is reported, not fatal (a typo in a file still is).
                ignored.add(env.getKey());
            }
        }
        if (!ignored.isEmpty()) {
            LOG.warn(
                    "Ignored environment variables that name no configuration key: {}",
                    ignored.stream().sorted().toList());
        }
        Map<String, String> own = new TreeMap<>();
        Map<String, String> kafka = new TreeMap<>();
        for (Map.Entry<String, String> e : merged.entrySet()) {
            if (e.getKey().startsWith(KAFKA_PREFIX)) {
                kafka.put(e.getKey().substring(KAFKA_PREFIX.length()), e.getValue());
            } else if (DEFINITION.names().contains(e.getKey())) {
                own.put(e.getKey(), e.getValue());
            } else {
                throw new ConfigException("unknown configuration key '" + e.getKey() + "'"
                        + (e.getKey().contains(".") ? "" : " (Kafka settings take the prefix kafka.)"));
            }
        }
        return new ClipStreamConfig(own, kafka);
    }

    /** Defaults plus {@code overrides}, without the environment (tests, the demo). */
    public static ClipStreamConfig of(Map<String, String> overrides) {
        return from(overrides, Map.of());
    }

    /** The environment variable that overrides {@code key}. */
    public static String envFor(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    /** The key an environment variable overrides. */
    static String keyForEnv(String variable) {
        return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** Settings passed through to Kafka Streams and its clients, without the {@code kafka.} prefix. */
    public Map<String, String> kafkaSettings() {
        return kafka;
    }

    /** The full name of a topic key, with the prefix. */
    public String topic(String key) {
        return getString(TOPIC_PREFIX) + getString(key);
    }

    /** The inference options for the model. */
    public InferenceOptions inferenceOptions() {
        return new InferenceOptions(
                ExecutionDevice.parse(getString(INFERENCE_DEVICE)),
                getBoolean(INFERENCE_CUDA_FALLBACK),
                getInt(INFERENCE_INTRA_OP_THREADS),
                getBoolean(INFERENCE_ALLOW_SPINNING),
                getInt(INFERENCE_MAX_BATCH_SIZE));
    }

    /**
     * How JPEGs are decoded.
     *
     * @throws IllegalStateException when {@code preprocess.jpeg.decoder} is turbojpeg and it cannot be loaded
     */
    public JpegDecoding jpegDecoding() {
        return new JpegDecoding(
                        JpegDecoding.Choice.parse(getString(PREPROCESS_JPEG_DECODER)),
                        getBoolean(PREPROCESS_JPEG_DRAFT))
                .requireAvailable(PREPROCESS_JPEG_DECODER);
    }

    /** How to reach the schema registry. */
    public RegistrySettings registrySettings() {
        List<URI> urls = getList(SCHEMA_REGISTRY_URL).stream().map(URI::create).toList();
        String location = getString(SCHEMA_REGISTRY_TRUSTSTORE_LOCATION);
        return new RegistrySettings(
                urls,
                secret(SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO),
                secret(SCHEMA_REGISTRY_BEARER_TOKEN),
                location == null ? null : Path.of(location),
                secret(SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD),
                Duration.ofSeconds(30));
    }

    private String secret(String key) {
        Password password = getPassword(key);
        return password == null ? null : password.value();
    }

    /** Routing from {@link #LABELS_APPLIES_TO}: per set name, the events it scores (replacing its applies_to). */
    public Map<String, io.clipstream.labels.EventSelector> labelRouting() {
        return io.clipstream.labels.ConfiguredRouting.parse(getList(LABELS_APPLIES_TO));
    }

    /** The label sets to score with; empty means all. */
    public List<String> labelSets() {
        return getList(LABELS_SETS).stream().filter(s -> !s.isBlank()).toList();
    }

    /** Every key with its documentation, in definition order. */
    public static List<ConfigDef.ConfigKey> keys() {
        return List.copyOf(DEFINITION.configKeys().values());
    }

    /** Markdown table of every key (generated into the README). */
    public static String markdownTable() {
        StringBuilder out = new StringBuilder(
                "| key | environment variable | type | default | description |\n" + "|---|---|---|---|---|\n");
        for (ConfigDef.ConfigKey key : keys()) {
            String defaultValue = key.hasDefault()
                    ? String.valueOf(
                            key.defaultValue instanceof List<?> l
                                    ? String.join(
                                            ",",
                                            l.stream().map(Object::toString).toList())
                                    : key.defaultValue)
                    : "(required)";
            if (key.name.equals(STATE_DIR) || key.name.equals(DECODE_THREADS)) {
                defaultValue = key.name.equals(STATE_DIR) ? "$TMPDIR/clipstream-state" : "one per core";
            }
            out.append("| `")
                    .append(key.name)
                    .append("` | `")
                    .append(envFor(key.name))
                    .append("` | ")
                    .append(key.type.name().toLowerCase(Locale.ROOT))
                    .append(" | ")
                    .append(defaultValue.isEmpty() || "null".equals(defaultValue) ? "" : "`" + defaultValue + "`")
                    .append(" | ")
                    .append(key.documentation.replace("|", "\\|"))
                    .append(
                            key.validator != null && !(key.validator instanceof ConfigDef.NonEmptyString)
                                    ? " Valid: " + key.validator + "."
                                    : "")
                    .append(" |\n");
        }
        out.append("| `kafka.*` | `CLIPSTREAM_KAFKA_*` | | | Passed through, without the prefix, to Kafka"
                + " Streams and its clients (for example `kafka.security.protocol=SASL_SSL`). |\n");
        return out.toString();
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        for (ConfigDef.ConfigKey key : keys()) {
            Object value = values().get(key.name);
            shown.put(
                    key.name,
                    key.type == Type.PASSWORD ? (value == null ? "null" : "[hidden]") : String.valueOf(value));
        }
        Map<String, String> kafkaShown = new TreeMap<>();
        kafka.forEach((k, v) -> kafkaShown.put(k, isSecretKafkaKey(k) ? "[hidden]" : v));
        return "ClipStreamConfig" + shown + " kafka" + kafkaShown;
    }

    /** Whether a Kafka setting holds a secret (passwords, JAAS configs, keys). */
    public static boolean isSecretKafkaKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return Arrays.asList("password", "jaas", "secret", "token", "key", "user.info", "credentials").stream()
                        .anyMatch(k::contains)
                && !k.endsWith(".type")
                && !k.endsWith("algorithm")
                && !k.endsWith(".location");
    }
}
