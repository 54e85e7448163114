package io.clipstream.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Apache Kafka's own broker, run inside this JVM as a single KRaft node in combined mode
 * ({@code process.roles=broker,controller}): the embedded demo and the integration tests use it.
 *
 * <p>Both listeners are bound to 127.0.0.1 only and speak PLAINTEXT. The log directory is formatted
 * the way {@code kafka-storage format} does it the first time it is started; {@link #stop()} keeps it
 * and {@link #restart()} brings the same node back on the same ports with its data. Settings are those
 * of a one-node cluster on a small machine: every internal topic (consumer offsets, transaction state,
 * share-group state) has replication factor 1 and min ISR 1, so exactly-once producers and Kafka
 * Streams' {@code exactly_once_v2} work.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().build().start()) {
 *     kafka.createTopic("images", 3, Map.of());
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>With {@link Builder#saslSsl} it also opens a third listener, {@code SASL_SSL} on 127.0.0.1 (TLS with the given
 * key store, SCRAM-SHA-512 authentication), for tests of secured clients: {@link #saslSslBootstrapServers()}. The
 * SCRAM users are written into the cluster's bootstrap metadata when the log directory is formatted (what
 * {@code kafka-storage format --add-scram} does). The PLAINTEXT listener stays the inter-broker listener and what
 * {@link #createTopic} uses; the controller listener stays PLAINTEXT; all of them on loopback only.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    static final int NODE_ID = 1;
    static final String BROKER_LISTENER = "PLAINTEXT";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    static final String SASL_SSL_LISTENER = "SASL_SSL";
    /** The one SASL mechanism the SASL_SSL listener enables. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    static final String HOST = "127.0.0.1";

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TOPIC_TIMEOUT = Duration.ofSeconds(30);

    private final Path logDir;
    private final boolean ownsLogDir;
    private final Map<String, String> extraProperties;
    private final SaslSsl saslSsl;

    private final boolean autoPort;
    private int port;
    private int controllerPort;
    private int saslSslPort;
    private boolean everStarted;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(Builder builder) {
        if (builder.logDir != null) {
            this.logDir = builder.logDir.toAbsolutePath();
            this.ownsLogDir = false;
        } else {
            try {
                this.logDir = Files.createTempDirectory("clipstream-kafka-").toAbsolutePath();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary Kafka log directory", e);
            }
            this.ownsLogDir = true;
        }
        this.port = builder.port;
        this.autoPort = builder.port == 0;
        this.extraProperties = Map.copyOf(builder.brokerProperties);
        this.saslSsl = builder.saslSsl;
    }

    /** The SASL_SSL listener's TLS key store and its SCRAM users. */
    private record SaslSsl(Path keyStore, String keyStorePassword, Map<String, String> scramUsers) {
        @Override
        public String toString() {
            return "SaslSsl[keyStore=" + keyStore + ", users=" + scramUsers.keySet() + "]";
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Path logDir;
        private int port;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private SaslSsl saslSsl;

        private Builder() {}

        /** The broker's log directory (data and KRaft metadata). Default: a fresh temp dir, deleted on close. */
        public Builder logDir(Path dir) {
            this.logDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The client (PLAINTEXT) port on 127.0.0.1; 0, the default, picks a free one at the first start. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** An extra broker setting, e.g. {@code message.max.bytes}; it overrides this class's defaults. */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Also opens a {@code SASL_SSL} listener on 127.0.0.1 (port picked at the first start, kept by restarts):
         * TLS with the server certificate in {@code keyStore} (PKCS12; its key has the store's password) and
         * SCRAM-SHA-512 authentication of {@code scramUsers} (user name to password). Users are created when the
         * log directory is formatted, so a log directory formatted before keeps the users it has.
         */
        public Builder saslSsl(Path keyStore, String keyStorePassword, Map<String, String> scramUsers) {
            Objects.requireNonNull(keyStore, "keyStore");
            Objects.requireNonNull(keyStorePassword, "keyStorePassword");
            if (!Files.isRegularFile(keyStore)) {
                throw new IllegalArgumentException("no key store at " + keyStore);
            }
            if (scramUsers == null || scramUsers.isEmpty()) {
                throw new IllegalArgumentException("at least one SCRAM user is needed");
            }
            Map<String, String> users = new LinkedHashMap<>();
            scramUsers.forEach((user, password) -> {
                // the values go into the --add-scram syntax, SCRAM-SHA-512=[name=...,password=...]
                if (user == null
                        || user.isEmpty()
                        || password == null
                        || password.isEmpty()
                        || (user + password)
                                .chars()
                                .anyMatch(c -> c == '"'
                                        || c == ','
                                        || c == '['
                                        || c == ']'
                                        || c == '='
                                        || Character.isWhitespace(c)
                                        || Character.isISOControl(c))) {
                    throw new IllegalArgumentException("SCRAM user names and passwords must be non-empty, without"
                            + " quotes, commas, brackets, '=' or white space (user '" + user + "')");
                }
                users.put(user, password);
            });
            this.saslSsl = new SaslSsl(keyStore.toAbsolutePath(), keyStorePassword, Map.copyOf(users));
            return this;
        }

        /** Builds the broker; it is not started. */
        public EmbeddedKafkaBroker build() {
            return new EmbeddedKafkaBroker(this);
        }
    }

    /**
     * Formats the log directory (the first time) and starts the broker. Returns once the broker accepts
     * connections and the controller answers metadata requests (an admin client can list topics).
     *
     * @throws IllegalStateException if it is already running or closed, or if it does not come up
     */
    public synchronized EmbeddedKafkaBroker start() {
        if (closed) {
            throw new IllegalStateException("the embedded Kafka broker is closed");
        }
        if (server != null) {
            throw new IllegalStateException("the embedded Kafka broker is already running on " + bootstrapServers());
        }
        long begin = System.nanoTime();
        KafkaRaftServer started;
        for (int attempt = 1; ; attempt++) {
            if (port == 0) {
                port = freePort();
            }
            if (controllerPort == 0) {
                controllerPort = freePort();
            }
            if (saslSsl != null && saslSslPort == 0) {
                saslSslPort = freePort();
            }
            try {
                started = startOnce();
                break;
            } catch (IllegalStateException e) {
                // Ports picked here may have been taken by someone else before the broker bound them: pick
                // others and try again, but only when no port was asked for and before the first successful
                // start (after that the ports are the broker's identity for its clients; restart() keeps them).
                if (!autoPort || everStarted || attempt >= 3 || !causedByBindFailure(e)) {
                    throw e;
                }
                LOG.warn("Embedded Kafka broker could not bind its ports ({}); retrying on others", e.getMessage());
                port = 0;
                controllerPort = 0;
                saslSslPort = 0;
            }
        }
        everStarted = true;
        server = started;
        LOG.info(
                "Embedded Kafka broker up on {}{} in {} ms (log dir {})",
                bootstrapServers(),
                saslSsl == null ? "" : " and SASL_SSL " + saslSslBootstrapServers(),
                (System.nanoTime() - begin) / 1_000_000,
                logDir);
        return this;
    }

    private KafkaRaftServer startOnce() {
        KafkaConfig config;
        try {
            Files.createDirectories(logDir);
            config = new KafkaConfig(brokerConfig(), false);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format(config);
            }
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot prepare the Kafka log directory " + logDir + ": " + e.getMessage(), e);
        }
        KafkaRaftServer started = null;
        try {
            started = new KafkaRaftServer(config, Time.SYSTEM);
            started.startup();
            awaitReady();
            return started;
        } catch (Exception e) {
            if (started != null) {
                shutdownQuietly(started);
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException(
                    "the embedded Kafka broker did not start (listener " + HOST + ":" + port
                            + (saslSsl == null ? "" : ", SASL_SSL " + HOST + ":" + saslSslPort)
                            + ", controller " + HOST + ":" + controllerPort + ", log dir " + logDir + "): "
                            + e.getMessage(),
                    e);
        }
    }

    private static boolean causedByBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** {@code 127.0.0.1:PORT}; known once the broker has been started (or when a fixed port was given). */
    public synchronized String bootstrapServers() {
        if (port == 0) {
            throw new IllegalStateException("the embedded Kafka broker has not been started yet, so it has no port");
        }
        return HOST + ":" + port;
    }

    /**
     * Settings of a consumer that reads this broker's topics from the start and sees committed records only, as
     * anyone checking exactly-once output must; a fresh mutable map, so callers may add to it.
     */
    public java.util.Map<String, Object> committedReaderConfig(String groupId) {
        java.util.Map<String, Object> config = new java.util.HashMap<>();
        config.put("bootstrap.servers", bootstrapServers());
        config.put("group.id", groupId);
        config.put("auto.offset.reset", "earliest");
        config.put("isolation.level", "read_committed");
        return config;
    }

    /**
     * {@code 127.0.0.1:PORT} of the SASL_SSL listener (TLS + SCRAM-SHA-512); known once the broker has been started.
     *
     * @throws IllegalStateException if the broker was built without {@link Builder#saslSsl} or never started
     */
    public synchronized String saslSslBootstrapServers() {
        if (saslSsl == null) {
            throw new IllegalStateException("the embedded Kafka broker has no SASL_SSL listener (see Builder.saslSsl)");
        }
        if (saslSslPort == 0) {
            throw new IllegalStateException(
                    "the embedded Kafka broker has not been started yet, so it has no" + " SASL_SSL port");
        }
        return HOST + ":" + saslSslPort;
    }

    /** The broker's log directory. */
    public Path logDir() {
        return logDir;
    }

    /** Whether the broker is running. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Creates a topic (replication factor 1) and waits until every partition has a leader. A topic that
     * already exists is left as it is.
     */
    public void createTopic(String name, int partitions, Map<String, String> config) {
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        String bootstrap;
        synchronized (this) {
            if (server == null) {
                throw new IllegalStateException("the embedded Kafka broker is not running");
            }
            bootstrap = bootstrapServers();
        }
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(config == null ? Map.of() : config);
        try (Admin admin = admin(bootstrap)) {
            try {
                admin.createTopics(List.of(topic)).all().get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            long deadline = System.nanoTime() + TOPIC_TIMEOUT.toNanos();
            while (true) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(name))
                            .allTopicNames()
                            .get(TOPIC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                            .get(name);
                    if (description != null
                            && !description.partitions().isEmpty()
                            && description.partitions().stream()
                                    .allMatch(p ->
                                            p.leader() != null && !p.leader().isEmpty())) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // not visible in the broker's metadata yet; try again
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " has no leader after " + TOPIC_TIMEOUT);
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot create topic " + name + ": " + cause.getMessage(), cause);
        }
    }

    /** Stops the broker and keeps its log directory, so that {@link #start()} or {@link #restart()} brings it back. */
    public synchronized void stop() {
        KafkaRaftServer running = server;
        server = null;
        if (running != null) {
            running.shutdown();
            running.awaitShutdown();
        }
    }

    /** Stops the broker and starts it again on the same ports and log directory; the data are kept. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Stops the broker and deletes its log directory if this object created it. Calling it again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (ownsLogDir) {
                deleteRecursively(logDir);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    Properties brokerConfig() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put(
                "listeners",
                BROKER_LISTENER + "://" + HOST + ":" + port + "," + CONTROLLER_LISTENER + "://" + HOST + ":"
                        + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", logDir.toString());
        if (saslSsl != null) {
            addSaslSslListener(p);
        }

        // One node: every internal topic has a single replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "5");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");

        // Small thread pools and buffers: tests and the demo share two cores with the app itself.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("log.cleaner.threads", "1");
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));

        // Fail start() instead of waiting forever when the node cannot come up.
        p.put("server.max.startup.time.ms", Long.toString(READY_TIMEOUT.toMillis()));

        p.putAll(extraProperties);
        return p;
    }

    /** The SASL_SSL listener: TLS with the key store, SCRAM-SHA-512 against the credentials in the metadata log. */
    private void addSaslSslListener(Properties p) {
        String address = SASL_SSL_LISTENER + "://" + HOST + ":" + saslSslPort;
        p.put("listeners", p.getProperty("listeners") + "," + address);
        p.put("advertised.listeners", p.getProperty("advertised.listeners") + "," + address);
        p.put(
                "listener.security.protocol.map",
                p.getProperty("listener.security.protocol.map") + "," + SASL_SSL_LISTENER + ":SASL_SSL");
        String prefix = "listener.name." + SASL_SSL_LISTENER.toLowerCase(Locale.ROOT) + ".";
        p.put(prefix + "sasl.enabled.mechanisms", SCRAM_MECHANISM);
        p.put(
                prefix + SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put(prefix + "ssl.keystore.type", "PKCS12");
        p.put(prefix + "ssl.keystore.location", saslSsl.keyStore().toString());
        p.put(prefix + "ssl.keystore.password", saslSsl.keyStorePassword());
        p.put(prefix + "ssl.key.password", saslSsl.keyStorePassword());
        p.put(prefix + "ssl.client.auth", "none");
    }

    /** {@code kafka-storage format --add-scram} arguments: one SCRAM-SHA-512 credential per user. */
    private List<String> scramArguments() {
        List<String> arguments = new ArrayList<>();
        if (saslSsl != null) {
            saslSsl.scramUsers()
                    .forEach((user, password) ->
                            arguments.add(SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]"));
        }
        return arguments;
    }

    private void format(KafkaConfig config) throws Exception {
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setUnstableFeatureVersionsEnabled(false)
                .setIgnoreFormatted(false)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(config.metadataLogDir())
                .setWriteBootstrapSnapshot(true)
                .setHasDynamicQuorum(false);
        List<String> scram = scramArguments();
        if (!scram.isEmpty()) {
            formatter.setScramArguments(scram);
        }
        for (String dir : config.logDirs()) {
            formatter.addDirectory(dir);
        }
        formatter.run();
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        try (Admin admin = admin(HOST + ":" + port)) {
            while (System.nanoTime() < deadline) {
                try {
                    admin.listTopics().names().get(10, TimeUnit.SECONDS);
                    admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                    Thread.sleep(100);
                }
            }
        }
        throw new TimeoutException("the broker did not answer an admin client within " + READY_TIMEOUT
                + (last == null ? "" : " (last error: " + last + ")"));
    }

    private static Admin admin(String bootstrap) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "clipstream-embedded-admin");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        return Admin.create(config);
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            // already failing: the start-up error is the one to report
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the Kafka log directory " + root, e);
        }
        IOException failure = null;
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("cannot delete the Kafka log directory " + root, failure);
        }
    }
}
