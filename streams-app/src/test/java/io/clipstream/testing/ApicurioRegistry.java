package io.clipstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Confluent-compatible schema registry for integration tests: Apicurio Registry 2.6 (in-memory storage),
 * unpacked from Maven Central by the build into {@code streams-app/target/apicurio} and run as a child process on
 * a free loopback port. Its Confluent API is {@link #ccompatUrl()}.
 *
 * <p>Set up to behave like a default Confluent registry: a global BACKWARD compatibility rule (Apicurio enforces
 * none by default), and ids in "content id" mode (the Apicurio 2.x default, pinned here): the id that
 * {@code POST /subjects/{s}/versions} returns is the one {@code GET /schemas/ids/{id}} accepts, and the same schema
 * under two subjects gets the same id (in Apicurio's legacy id mode ids are global ids, one per subject version);
 * and canonical-hash matching, so a lookup finds a schema whatever its JSON formatting.
 *
 * <p>Use {@link #shared()} (one registry per test JVM, stopped by a shutdown hook; {@link #close()} on it does
 * nothing) from {@code @BeforeAll}, or {@link #start()} for a private one that the caller closes. Tests sharing a
 * registry should use subjects of their own. When the unpacked app is absent (built with {@code -DskipTests}, or
 * run from an IDE before {@code ./mvnw process-test-resources}) the test is skipped, not failed.
 */
public final class ApicurioRegistry implements AutoCloseable {

    /** System property naming the unpacked {@code apicurio-registry-app} folder (set by the POM). */
    public static final String DIR_PROPERTY = "clipstream.apicurio.dir";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final int START_ATTEMPTS = 3;
    private static final Object SHARED_LOCK = new Object();
    private static ApicurioRegistry shared;

    private final Process process;
    private final int port;
    private final Path logFile;
    private final boolean isShared;
    private volatile Duration startupTime;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ApicurioRegistry(Process process, int port, Path logFile, boolean isShared) {
        this.process = process;
        this.port = port;
        this.logFile = logFile;
        this.isShared = isShared;
    }

    /** Starts a registry of its own; the caller closes it. Skips the calling test if the app is not unpacked. */
    public static ApicurioRegistry start() {
        return start(false);
    }

    /**
     * The registry shared by every test of this JVM, started on first use and stopped when the JVM exits. Skips the
     * calling test if the app is not unpacked.
     */
    public static ApicurioRegistry shared() {
        synchronized (SHARED_LOCK) {
            if (shared == null || !shared.process.isAlive()) {
                ApicurioRegistry registry = start(true);
                Runtime.getRuntime().addShutdownHook(new Thread(registry::stop, "apicurio-registry-stop"));
                shared = registry;
            }
            return shared;
        }
    }

    private static ApicurioRegistry start(boolean isShared) {
        Path appDir = appDir();
        Path runner = runnerJar(appDir);
        Assumptions.assumeTrue(
                runner != null,
                () -> "Apicurio Registry is not unpacked in " + appDir.toAbsolutePath()
                        + " (run ./mvnw process-test-resources, without -DskipTests); skipping the test");
        Path logDir = appDir.toAbsolutePath().getParent().resolve("apicurio-logs");
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            int port = freePort();
            Path log = logDir.resolve("apicurio-" + port + ".log");
            try {
                return launch(runner, port, log, isShared);
            } catch (PortTakenException e) {
                failure = e; // another process took the port between our probe and the bind: try another
            }
        }
        throw failure;
    }

    private static ApicurioRegistry launch(Path runner, int port, Path log, boolean isShared) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.log.console.color=false",
                // Confluent-like ids: register returns the content id, which /schemas/ids/{id} takes (the default)
                "-Dregistry.ccompat.legacy-id-mode.enabled=false",
                // Confluent-like lookup: POST /subjects/{s} matches a schema however its JSON is formatted
                "-Dregistry.ccompat.use-canonical-hash=true",
                "-jar",
                runner.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(runner.toAbsolutePath().getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        long began = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Apicurio Registry: " + command, e);
        }
        ApicurioRegistry registry = new ApicurioRegistry(process, port, log, isShared);
        try {
            registry.awaitReady(began);
            registry.requireBackwardCompatibility();
        } catch (RuntimeException | Error e) {
            registry.stop();
            throw e;
        }
        registry.startupTime = Duration.ofNanos(System.nanoTime() - began);
        System.out.printf(
                "Apicurio Registry up at %s in %d ms (log %s)%n",
                registry.ccompatUrl(), registry.startupTime.toMillis(), log);
        return registry;
    }

    /** The Confluent-compatible API root, {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String ccompatUrl() {
        return baseUrl() + "/apis/ccompat/v7";
    }

    /** {@code http://127.0.0.1:PORT}: also serves Apicurio's own API at {@code /apis/registry/v2}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** The registry's console log. */
    public Path logFile() {
        return logFile;
    }

    /** From process start to the registry answering, rule set. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Stops the registry and its children; idempotent. Does nothing on {@link #shared()} (a JVM hook stops it). */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private void stop() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<ProcessHandle> children = process.descendants().toList();
        children.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private void awaitReady(long began) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(ccompatUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        long deadline = began + STARTUP_TIMEOUT.toNanos();
        String lastAnswer = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = logTail();
                if (tail.contains("Address already in use") || tail.contains("Port already bound")) {
                    throw new PortTakenException("port " + port + " was taken:\n" + tail);
                }
                throw new IllegalStateException("Apicurio Registry exited with status " + process.exitValue()
                        + " before answering on port " + port + "; log " + logFile + " ends:\n" + tail);
            }
            try {
                HttpResponse<String> response = http.send(probe, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                lastAnswer = "HTTP " + response.statusCode() + ": " + response.body();
            } catch (IOException e) {
                lastAnswer = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for Apicurio Registry", e);
            }
            sleep(250);
        }
        throw new IllegalStateException("Apicurio Registry did not answer GET " + ccompatUrl() + "/subjects with 200"
                + " within " + STARTUP_TIMEOUT.toSeconds() + " s (last: " + lastAnswer + "); log " + logFile
                + " ends:\n" + logTail());
    }

    /**
     * Apicurio enforces no compatibility rule by default (its ccompat {@code /config} reports NONE), where Confluent's
     * default is BACKWARD; set the global rule through the Confluent API and check it took.
     */
    private void requireBackwardCompatibility() {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> put = http.send(
                    HttpRequest.newBuilder(URI.create(ccompatUrl() + "/config"))
                            .timeout(Duration.ofSeconds(15))
                            .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"BACKWARD\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> get = http.send(
                    HttpRequest.newBuilder(URI.create(ccompatUrl() + "/config"))
                            .timeout(Duration.ofSeconds(15))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            boolean backward = get.body().replace(" ", "").contains("\"compatibilityLevel\":\"BACKWARD\"");
            if (put.statusCode() != 200 || !backward) {
                throw new IllegalStateException("could not set Apicurio's global compatibility to BACKWARD: PUT /config"
                        + " answered " + put.statusCode() + " " + put.body() + ", GET /config " + get.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not set Apicurio's global compatibility rule", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted configuring Apicurio Registry", e);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static Path appDir() {
        String property = System.getProperty(DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Paths.get(property);
        }
        Path here = Paths.get("").toAbsolutePath();
        Path fromModule = here.resolve("target/apicurio"); // Maven runs tests in the module folder
        Path fromRoot = here.resolve("streams-app/target/apicurio"); // an IDE may run them in the checkout root
        return Files.isDirectory(fromModule) || !Files.isDirectory(fromRoot) && here.endsWith("streams-app")
                ? fromModule
                : fromRoot;
    }

    /**
     * The Quarkus runner: {@code *-runner.jar} (legacy-jar layout, as 2.6 ships) or
     * {@code quarkus-app/quarkus-run.jar}.
     */
    private static Path runnerJar(Path appDir) {
        if (!Files.isDirectory(appDir)) {
            return null;
        }
        Path fastJar = appDir.resolve("quarkus-app/quarkus-run.jar");
        if (Files.isRegularFile(fastJar)) {
            return fastJar;
        }
        try (Stream<Path> files = Files.list(appDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-runner.jar"))
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for Apicurio Registry", e);
        }
    }

    private static final class PortTakenException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }
}
