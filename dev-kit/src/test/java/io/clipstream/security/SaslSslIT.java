package io.clipstream.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ch.qos.logback.classic.Level;
import io.clipstream.app.ClipStreamApp;
import io.clipstream.app.EndToEndScenario;
import io.clipstream.clip.TestModels;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.embedded.EmbeddedRunSettings;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor on a SASL_SSL listener (TLS from a private CA, SCRAM-SHA-512), configured only through the settings
 * {@code docs/security.md} documents: events in, tags and flags out (read with {@code read_committed}); wrong
 * credentials and an untrusted broker certificate fail {@link ClipStreamApp#start} quickly, naming the problem; and
 * no secret (SCRAM password, trust-store password, registry basic-auth password) appears in anything the JVM logs or
 * prints, in the HTTP probes, or in {@link ClipStreamConfig#toString()}.
 */
@Timeout(300)
class SaslSslIT {

    private static final String USER = "clipstream-app";
    private static final String PASSWORD = TestCertificates.randomSecret("scram-pass-");
    private static final String REGISTRY_USER = "registry-user";
    private static final String REGISTRY_PASSWORD = TestCertificates.randomSecret("registry-pass-");
    private static final String FINGERPRINT = "sha256:sasl-it";
    /** How long {@link ClipStreamApp#start} may take to report bad credentials. */
    private static final Duration FAIL_FAST = Duration.ofSeconds(45);

    /** Loggers made more verbose while capturing, so Kafka's client config dumps are checked too. */
    private static final Map<String, Level> VERBOSE = Map.of(
            "io.clipstream", Level.DEBUG,
            "org.apache.kafka.clients", Level.INFO,
            "org.apache.kafka.streams", Level.INFO,
            "org.apache.kafka.common.security", Level.INFO,
            "org.apache.kafka.common.network", Level.INFO,
            "org.apache.kafka.common.config", Level.INFO);

    @TempDir
    static Path dir;

    private static TestCertificates tls;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        long t0 = System.nanoTime();
        tls = TestCertificates.create(dir.resolve("tls"));
        long t1 = System.nanoTime();
        broker = EmbeddedKafkaBroker.builder()
                .saslSsl(tls.brokerKeyStore(), tls.brokerKeyStorePassword(), Map.of(USER, PASSWORD))
                .build()
                .start();
        System.out.printf(
                "SaslSslIT: CA and broker certificate in %d ms; broker up in %d ms, SASL_SSL on %s%n",
                (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000, broker.saslSslBootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** The documented client settings for SASL_SSL with SCRAM-SHA-512 and a private CA. */
    private static Map<String, String> saslSslSettings(String user, String password, boolean withTrustStore) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("kafka.security.protocol", "SASL_SSL");
        settings.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        settings.put(
                "kafka.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required" + " username=\"" + user
                        + "\" password=\"" + password + "\";");
        if (withTrustStore) {
            settings.put("kafka.ssl.truststore.location", tls.trustStore().toString());
            settings.put("kafka.ssl.truststore.type", "PKCS12");
            settings.put("kafka.ssl.truststore.password", tls.trustStorePassword());
        }
        // Kafka's default, spelled out: the broker certificate must name 127.0.0.1 (it does, in its SAN)
        settings.put("kafka.ssl.endpoint.identification.algorithm", "https");
        settings.put(ClipStreamConfig.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO, REGISTRY_USER + ":" + REGISTRY_PASSWORD);
        return settings;
    }

    private static Map<String, String> secrets() {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("SCRAM password", PASSWORD);
        secrets.put("trust-store password", tls.trustStorePassword());
        secrets.put("registry basic-auth password", REGISTRY_PASSWORD);
        return secrets;
    }

    @Test
    void eventsFlowEndToEndOverSaslSslAndNoSecretIsLoggedOrShown() throws Exception {
        Map<String, String> settings = saslSslSettings(USER, PASSWORD, true);
        Map<String, String> bodies = new LinkedHashMap<>();
        EndToEndScenario.RunResult result;
        String captured;
        int events;
        try (LogCapture capture = LogCapture.start(VERBOSE)) {
            result = new EndToEndScenario(broker.saslSslBootstrapServers(), "mock://sasl-it", dir, settings)
                    .run("sasl", 2, 1, 20, false, app -> {
                        for (String path : List.of("/health", "/ready", "/metrics")) {
                            bodies.put(path, httpBody(app.httpPort(), path));
                        }
                    });
            events = capture.events();
            captured = capture.text();
        }
        assertThat(result.tags()).isEqualTo(20);
        assertThat(result.flags()).isEqualTo(20);
        assertThat(result.versions()).containsExactly("1");

        // the capture worked: it holds the app's start-up line and Kafka's client config dumps, secrets hidden
        assertThat(events).isPositive();
        assertThat(captured)
                .contains("Starting ClipStream with")
                .contains("sasl.jaas.config=[hidden]")
                .contains("ssl.truststore.password=[hidden]")
                .contains(ClipStreamConfig.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO + "=[hidden]")
                .contains("security.protocol = SASL_SSL");
        assertThat(bodies.get("/health")).contains("\"status\":\"UP\"");
        assertThat(bodies.get("/ready")).contains("\"status\":\"UP\"");

        List<String> leaks = new ArrayList<>(LogCapture.leaks("the log", captured, secrets()));
        bodies.forEach((path, body) -> leaks.addAll(LogCapture.leaks(path, body, secrets())));
        assertThat(leaks).as("secrets shown").isEmpty();
    }

    @Test
    void configToStringHidesEverySecret() {
        Map<String, String> settings = new HashMap<>(saslSslSettings(USER, PASSWORD, true));
        settings.put("kafka.ssl.keystore.password", "keystore-" + PASSWORD);
        settings.put("kafka.ssl.key.password", "key-" + PASSWORD);
        String shown = ClipStreamConfig.of(settings).toString();
        assertThat(LogCapture.leaks("ClipStreamConfig.toString()", shown, secrets()))
                .isEmpty();
        assertThat(shown)
                .contains(
                        "sasl.jaas.config=[hidden]",
                        "ssl.truststore.password=[hidden]",
                        "ssl.keystore.password=[hidden]",
                        "ssl.key.password=[hidden]",
                        ClipStreamConfig.SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO + "=[hidden]",
                        "security.protocol=SASL_SSL",
                        "sasl.mechanism=SCRAM-SHA-512",
                        "ssl.truststore.location=" + tls.trustStore());
    }

    @Test
    void aWrongPasswordFailsStartUpNamingAuthentication() throws Exception {
        String wrong = TestCertificates.randomSecret("wrong-pass-");
        Map<String, String> settings = appSettings("wrong-password", saslSslSettings(USER, wrong, true));
        Throwable failure;
        String captured;
        try (LogCapture capture = LogCapture.start(VERBOSE)) {
            failure = startExpectingFailure(settings);
            captured = capture.text();
        }
        assertThat(failure)
                .as("ClipStreamApp.start with a wrong SCRAM password")
                .isNotNull();
        System.out.println("SaslSslIT: a wrong password fails start-up with: " + failure);
        assertThat(failure.getMessage()).containsIgnoringCase("authentication");
        assertThat(causes(failure)).hasAtLeastOneElementOfType(SaslAuthenticationException.class);
        Map<String, String> secrets = new LinkedHashMap<>(secrets());
        secrets.put("wrong SCRAM password", wrong);
        assertThat(LogCapture.leaks("the log", captured, secrets)).isEmpty();
        assertThat(LogCapture.leaks("the start-up error", String.valueOf(failure.getMessage()), secrets))
                .isEmpty();
    }

    /**
     * INTENDED BEHAVIOUR, NOT TODAY'S: with {@code topic.create=false} no admin call runs at start-up, so Kafka Streams
     * is the first to connect. {@code KafkaStreams.start()} then throws {@code StreamsException: Exception caught
     * during initialization of GlobalStreamThread} (the {@code SaslAuthenticationException} only as its cause), and
     * the HTTP server, the model session and the pools started before it are never closed. Enable this test once
     * {@code ClipStreamApp} checks that it can reach and authenticate to Kafka before starting Kafka Streams,
     * whatever {@code topic.create}, and releases what it started when start-up fails (see docs/security.md).
     */
    @Test
    void withTopicCreationOffAWrongPasswordStillFailsStartUpNamingAuthentication() throws Exception {
        Map<String, String> settings =
                appSettings("no-create", saslSslSettings(USER, TestCertificates.randomSecret("wrong-pass-"), true));
        settings.put(ClipStreamConfig.TOPIC_CREATE, "false");
        int httpPort = freePort();
        settings.put(ClipStreamConfig.HTTP_PORT, Integer.toString(httpPort));
        Throwable failure = startExpectingFailure(settings);
        assertThat(failure)
                .as("ClipStreamApp.start with topic.create=false and a wrong SCRAM password")
                .isNotNull();
        System.out.println(
                "SaslSslIT: with topic.create=false a wrong password fails start-up with: " + causes(failure));
        assertThat(causes(failure)).hasAtLeastOneElementOfType(SaslAuthenticationException.class);
        assertThat(failure.getMessage()).containsIgnoringCase("authentication");
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", httpPort));
        } catch (BindException e) {
            throw new AssertionError("the failed start left its HTTP server on port " + httpPort, e);
        }
    }

    @Test
    void anUnknownUserFailsStartUpNamingAuthentication() throws Exception {
        Map<String, String> settings = appSettings("unknown-user", saslSslSettings("nobody", PASSWORD, true));
        Throwable failure = startExpectingFailure(settings);
        assertThat(failure)
                .as("ClipStreamApp.start as a user the broker does not know")
                .isNotNull();
        assertThat(failure.getMessage()).containsIgnoringCase("authentication");
        assertThat(causes(failure)).hasAtLeastOneElementOfType(SaslAuthenticationException.class);
    }

    @Test
    void anUntrustedBrokerCertificateFailsStartUpNamingTheHandshake() throws Exception {
        // no trust store: the JVM's default CAs do not know the test CA
        Map<String, String> settings = appSettings("untrusted", saslSslSettings(USER, PASSWORD, false));
        Throwable failure = startExpectingFailure(settings);
        assertThat(failure)
                .as("ClipStreamApp.start against a broker whose CA it does not trust")
                .isNotNull();
        System.out.println("SaslSslIT: an untrusted broker certificate fails start-up with: " + failure);
        assertThat(failure.getMessage()).containsIgnoringCase("SSL handshake failed");
        assertThat(causes(failure)).hasAtLeastOneElementOfType(SslAuthenticationException.class);
    }

    /** The processor's settings without the end-to-end scenario (no label set, no events). */
    private static Map<String, String> appSettings(String name, Map<String, String> security) throws Exception {
        return EmbeddedRunSettings.of("clipstream-" + name, broker.saslSslBootstrapServers())
                .registry("mock://sasl-it-" + name)
                .set("topic.prefix", name + ".")
                .partitions(1)
                .model(TestModels.copy("tiny-vit-openclip", dir.resolve(name)))
                .set("model.fingerprint", FINGERPRINT)
                .stateDir(dir.resolve(name + "-state"))
                .set("inference.intra.op.threads", "1")
                .set("decode.threads", "1")
                .setAll(security)
                .toMap();
    }

    /**
     * Calls {@link ClipStreamApp#start}, which must throw within {@link #FAIL_FAST}; returns what it threw, or null
     * (after closing the app) if it started.
     */
    private static Throwable startExpectingFailure(Map<String, String> settings) {
        ClipStreamConfig config = ClipStreamConfig.of(settings);
        long t0 = System.nanoTime();
        Throwable failure = assertTimeoutPreemptively(
                FAIL_FAST,
                () -> catchThrowable(() -> {
                    ClipStreamApp app = ClipStreamApp.start(config);
                    app.close();
                }),
                "ClipStreamApp.start must fail within " + FAIL_FAST);
        System.out.printf("SaslSslIT: start-up failed after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        return failure;
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static List<Throwable> causes(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && chain.size() < 20; t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    private static String httpBody(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
