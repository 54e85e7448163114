package io.clipstream.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A schema registry in memory, shared by every client of the same scope ({@code mock://scope}), for
 * TopologyTestDriver tests and the embedded demo. Subjects check backward compatibility like the default
 * Confluent rule.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {

    private static final Map<String, InMemorySchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    private final Map<Integer, Schema> byId = new HashMap<>();
    private final Map<Schema, Integer> ids = new HashMap<>();
    private final Map<String, List<Schema>> subjects = new HashMap<>();

    private InMemorySchemaRegistry() {}

    /** The registry of {@code scope}, created on first use. */
    public static InMemorySchemaRegistry scope(String scope) {
        return SCOPES.computeIfAbsent(scope, s -> new InMemorySchemaRegistry());
    }

    /** Forgets a scope (tests call this between runs). */
    public static void drop(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Schema> versions = subjects.computeIfAbsent(subject, s -> new ArrayList<>());
        if (!versions.contains(schema)) {
            if (!versions.isEmpty() && !compatible(versions.get(versions.size() - 1), schema)) {
                throw new SchemaRegistryException(
                        409,
                        409,
                        "Schema being registered is incompatible with an" + " earlier schema for subject \"" + subject
                                + "\"");
            }
            versions.add(schema);
        }
        return ids.computeIfAbsent(schema, s -> {
            int id = byId.size() + 1;
            byId.put(id, s);
            return id;
        });
    }

    @Override
    public synchronized int lookup(String subject, Schema schema) {
        List<Schema> versions = subjects.get(subject);
        if (versions == null) {
            throw new SchemaRegistryException(404, 40401, "Subject '" + subject + "' not found.");
        }
        if (!versions.contains(schema)) {
            throw new SchemaRegistryException(404, 40403, "Schema not found");
        }
        return ids.get(schema);
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema schema = byId.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(404, 40403, "Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized boolean isCompatible(String subject, Schema schema) {
        List<Schema> versions = subjects.get(subject);
        return versions == null || versions.isEmpty() || compatible(versions.get(versions.size() - 1), schema);
    }

    /** Backward: data written with the latest schema can be read with the new one. */
    private static boolean compatible(Schema latest, Schema candidate) {
        return SchemaCompatibility.checkReaderWriterCompatibility(candidate, latest)
                        .getType()
                == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
    }

    @Override
    public void close() {
        // shared per scope; nothing to release
    }
}
