package io.clipstream.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code /metrics} (Prometheus text format), {@code /health} (liveness: the process serves requests and its stream
 * threads have not died) and {@code /ready} (readiness: model loaded, label sets present, Kafka Streams RUNNING).
 * Both probes answer 200 or 503 with a small JSON body naming each check; no configuration or secret is shown.
 */
public final class HttpEndpoints implements AutoCloseable {

    /** A named yes/no check with a short detail. */
    public record Check(boolean ok, String detail) {}

    private final HttpServer server;

    /**
     * @param liveness checks for /health
     * @param readiness checks for /ready
     */
    public HttpEndpoints(
            String host,
            int port,
            PrometheusMeterRegistry prometheus,
            Supplier<Map<String, Check>> liveness,
            Supplier<Map<String, Check>> readiness)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "clipstream-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext(
                "/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4", prometheus.scrape()));
        server.createContext("/health", exchange -> probe(exchange, liveness.get()));
        server.createContext("/ready", exchange -> probe(exchange, readiness.get()));
        server.start();
    }

    /** The port actually bound (for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void probe(HttpExchange exchange, Map<String, Check> checks) throws IOException {
        boolean ok = checks.values().stream().allMatch(Check::ok);
        StringBuilder body =
                new StringBuilder("{\"status\":\"").append(ok ? "UP" : "DOWN").append("\",\"checks\":{");
        boolean first = true;
        for (Map.Entry<String, Check> e : new TreeMap<>(checks).entrySet()) {
            if (!first) {
                body.append(',');
            }
            first = false;
            body.append('"')
                    .append(escape(e.getKey()))
                    .append("\":{\"ok\":")
                    .append(e.getValue().ok())
                    .append(",\"detail\":\"")
                    .append(escape(e.getValue().detail()))
                    .append("\"}");
        }
        body.append("}}");
        respond(exchange, ok ? 200 : 503, "application/json", body.toString());
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
