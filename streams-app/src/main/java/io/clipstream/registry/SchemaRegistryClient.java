package io.clipstream.registry;

import org.apache.avro.Schema;

/**
 * The subset of the Confluent schema-registry API that ClipStream uses. Implementations cache: a schema is
 * registered or fetched over the network once per process.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers {@code schema} under {@code subject} (idempotent) and returns its global id. */
    int register(String subject, Schema schema);

    /** The id of {@code schema} if it is registered under {@code subject}; fails with 40403-style errors if not. */
    int lookup(String subject, Schema schema);

    /** The schema with global id {@code id}. */
    Schema getById(int id);

    /**
     * Whether {@code schema} may be registered as the next version of {@code subject} under the subject's
     * compatibility rule; true when the subject does not exist yet.
     */
    boolean isCompatible(String subject, Schema schema);

    /** Releases connections; idempotent. */
    @Override
    void close();
}
