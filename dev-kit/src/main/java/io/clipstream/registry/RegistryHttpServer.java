package io.clipstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;

/**
 * Serves an {@link InMemorySchemaRegistry} over the Confluent REST API on loopback, so that the embedded demo's
 * other tools ({@code clipstream tail}, {@code produce}, any Confluent client) can read its records. For demos and
 * tests only: no authentication, no persistence.
 */
public final class RegistryHttpServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final InMemorySchemaRegistry registry;

    public RegistryHttpServer(InMemorySchemaRegistry registry) throws IOException {
        this.registry = registry;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "clipstream-registry");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String[] parts =
                exchange.getRequestURI().getRawPath().replaceAll("^/+|/+$", "").split("/");
        try {
            JsonNode body =
                    exchange.getRequestMethod().equals("POST") ? JSON.readTree(exchange.getRequestBody()) : null;
            ObjectNode reply = JSON.createObjectNode();
            if (parts.length == 3 && parts[0].equals("schemas") && parts[1].equals("ids")) {
                reply.put("schema", registry.getById(Integer.parseInt(parts[2])).toString());
            } else if (parts.length == 3 && parts[0].equals("subjects") && parts[2].equals("versions")) {
                reply.put("id", registry.register(decode(parts[1]), schema(body)));
            } else if (parts.length == 2 && parts[0].equals("subjects")) {
                Schema schema = schema(body);
                reply.put("subject", decode(parts[1]))
                        .put("id", registry.lookup(decode(parts[1]), schema))
                        .put("schema", schema.toString());
            } else if (parts.length == 5 && parts[0].equals("compatibility")) {
                reply.put("is_compatible", registry.isCompatible(decode(parts[2]), schema(body)));
            } else {
                send(
                        exchange,
                        404,
                        JSON.createObjectNode().put("error_code", 404).put("message", "not found"));
                return;
            }
            send(exchange, 200, reply);
        } catch (SchemaRegistryException e) {
            send(
                    exchange,
                    e.status(),
                    JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.getMessage()));
        } catch (RuntimeException e) {
            send(exchange, 422, JSON.createObjectNode().put("error_code", 42201).put("message", e.getMessage()));
        }
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    private static Schema schema(JsonNode body) {
        return new Schema.Parser().parse(body.path("schema").asText());
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
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
