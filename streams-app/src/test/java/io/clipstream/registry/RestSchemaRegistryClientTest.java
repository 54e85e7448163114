package io.clipstream.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST client against a stub speaking the Confluent API, recording every request it gets. */
class RestSchemaRegistryClientTest {

    private static final Schema SCHEMA =
            SchemaBuilder.record("R").fields().requiredString("a").endRecord();

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " auth="
                    + exchange.getRequestHeaders().getFirst("Authorization") + " type="
                    + exchange.getRequestHeaders().getFirst("Content-Type"));
            String path = exchange.getRequestURI().getPath();
            int status = 200;
            String reply;
            if (path.equals("/api/subjects/topic-value/versions")) {
                reply = body.contains("\\\"a\\\"") ? "{\"id\": 7}" : "{}";
            } else if (path.equals("/api/schemas/ids/7")) {
                reply = "{\"schema\": "
                        + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(SCHEMA.toString()) + "}";
            } else if (path.startsWith("/api/compatibility/subjects/topic-value")) {
                reply = "{\"is_compatible\": false}";
            } else if (path.startsWith("/api/compatibility/subjects/unknown-value")) {
                status = 404;
                reply = "{\"error_code\": 40401, \"message\": \"Subject not found\"}";
            } else {
                status = 404;
                reply = "{\"error_code\": 40403, \"message\": \"Schema not found\"}";
            }
            byte[] bytes = reply.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private RestSchemaRegistryClient client(String userInfo, String token) {
        URI dead = URI.create("http://127.0.0.1:1/api");
        URI live = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/");
        return new RestSchemaRegistryClient(new RegistrySettings(
                List.of(dead, live), userInfo, token, null, null, java.time.Duration.ofSeconds(5)));
    }

    @Test
    void registersOnceFetchesByIdOnceAndSendsBasicAuth() {
        RestSchemaRegistryClient client = client("user:secret", null);
        assertThat(client.register("topic-value", SCHEMA)).isEqualTo(7);
        assertThat(client.register("topic-value", SCHEMA)).isEqualTo(7);
        assertThat(client.getById(7)).isEqualTo(SCHEMA);
        assertThat(requests)
                .containsExactly("POST /api/subjects/topic-value/versions auth=Basic dXNlcjpzZWNyZXQ="
                        + " type=application/vnd.schemaregistry.v1+json");
    }

    @Test
    void fetchesUnknownIdsAndSendsBearerTokens() {
        RestSchemaRegistryClient client = client(null, "t0ken");
        assertThat(client.getById(7)).isEqualTo(SCHEMA);
        assertThat(client.getById(7)).isEqualTo(SCHEMA);
        assertThat(requests).containsExactly("GET /api/schemas/ids/7 auth=Bearer t0ken type=null");
    }

    @Test
    void errorsCarryStatusCodeAndMessage() {
        RestSchemaRegistryClient client = client(null, null);
        assertThatThrownBy(() -> client.getById(99))
                .isInstanceOfSatisfying(SchemaRegistryException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.errorCode()).isEqualTo(40403);
                })
                .hasMessage("schema registry GET /schemas/ids/99 failed with 404: Schema not found");
        assertThat(client.isCompatible("topic-value", SCHEMA)).isFalse();
        assertThat(client.isCompatible("unknown-value", SCHEMA)).isTrue();
        assertThatThrownBy(() -> client.isCompatible("elsewhere-value", SCHEMA))
                .isInstanceOf(SchemaRegistryException.class);
    }
}
