package io.clipstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;

/**
 * A client of the Confluent schema-registry REST API (also served by Apicurio at {@code /apis/ccompat/v7}):
 * register, look up, fetch by id and check compatibility, with caching, basic auth or bearer token, and TLS.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {

    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistrySettings settings;
    private final HttpClient http;
    private final String authorization;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<String, Integer> idsBySubjectAndSchema = new ConcurrentHashMap<>();

    public RestSchemaRegistryClient(RegistrySettings settings) {
        this.settings = settings;
        HttpClient.Builder builder =
                HttpClient.newBuilder().connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER);
        if (settings.trustStore() != null) {
            builder.sslContext(sslContext(settings));
        }
        this.http = builder.build();
        if (settings.basicAuthUserInfo() != null) {
            authorization = "Basic "
                    + Base64.getEncoder()
                            .encodeToString(settings.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
        } else if (settings.bearerToken() != null) {
            authorization = "Bearer " + settings.bearerToken();
        } else {
            authorization = null;
        }
    }

    private static SSLContext sslContext(RegistrySettings settings) {
        char[] password = settings.trustStorePassword() == null
                ? null
                : settings.trustStorePassword().toCharArray();
        try (InputStream in = Files.newInputStream(settings.trustStore())) {
            KeyStore store =
                    KeyStore.getInstance(settings.trustStore().toString().endsWith(".jks") ? "JKS" : "PKCS12");
            store.load(in, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new SchemaRegistryException(
                    "cannot load the schema registry trust store " + settings.trustStore() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int register(String subject, Schema schema) {
        int id = cachedId(subject, schema, "/subjects/" + encode(subject) + "/versions");
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public int lookup(String subject, Schema schema) {
        return cachedId(subject, schema, "/subjects/" + encode(subject));
    }

    /** The id the registry gives {@code schema} when POSTed to {@code path}, asked once per subject and schema. */
    private int cachedId(String subject, Schema schema, String path) {
        String key = subject + '\u0000' + schema;
        Integer cached = idsBySubjectAndSchema.get(key);
        if (cached != null) {
            return cached;
        }
        int id = call("POST", path, body(schema)).path("id").asInt();
        idsBySubjectAndSchema.put(key, id);
        return id;
    }

    @Override
    public Schema getById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode reply = call("GET", "/schemas/ids/" + id, null);
        Schema schema = new Schema.Parser().parse(reply.path("schema").asText());
        schemasById.put(id, schema);
        return schema;
    }

    @Override
    public boolean isCompatible(String subject, Schema schema) {
        try {
            JsonNode reply =
                    call("POST", "/compatibility/subjects/" + encode(subject) + "/versions/latest", body(schema));
            return reply.path("is_compatible").asBoolean(false);
        } catch (SchemaRegistryException e) {
            // subject not found (Confluent 40401, Apicurio 40402): nothing to be incompatible with. Any other 404
            // (a wrong base URL, say) must not read as "compatible".
            if (e.status() == 404 && (e.errorCode() == 40401 || e.errorCode() == 40402)) {
                return true;
            }
            throw e;
        }
    }

    private static String body(Schema schema) {
        return JSON.createObjectNode().put("schema", schema.toString()).toString();
    }

    private static String encode(String subject) {
        return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode call(String method, String path, String body) {
        SchemaRegistryException last = null;
        for (URI base : settings.urls()) {
            String root = base.toString().endsWith("/")
                    ? base.toString().substring(0, base.toString().length() - 1)
                    : base.toString();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root + path))
                    .timeout(settings.timeout())
                    .header("Accept", CONTENT_TYPE + ", application/json");
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE)
                        .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                last = new SchemaRegistryException("schema registry " + base + " unreachable: " + e.getMessage(), e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted calling the schema registry", e);
            }
            JsonNode reply = parse(response.body());
            if (response.statusCode() / 100 == 2) {
                return reply;
            }
            String message = reply.path("message").asText(response.body());
            throw new SchemaRegistryException(
                    response.statusCode(),
                    reply.path("error_code").asInt(-1),
                    "schema registry " + method + " " + path + " failed with " + response.statusCode() + ": "
                            + message);
        }
        throw last;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("message", body);
        }
    }

    @Override
    public void close() {
        // java.net.http.HttpClient in Java 17 has no close; its threads end with the client
    }
}
