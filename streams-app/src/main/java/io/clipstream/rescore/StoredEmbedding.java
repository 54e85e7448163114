package io.clipstream.rescore;

import java.util.Map;

/**
 * One embedding kept on the image-embeddings topic, as re-scoring needs it.
 *
 * @param eventId the event it belongs to
 * @param source the event's source (null on records written before sources were kept)
 * @param attributes the event's attributes
 * @param embedding the L2-normalised image embedding
 * @param partition the topic partition it was read from
 * @param offset its offset
 * @param timestamp the record's timestamp (the input event's)
 * @param modelId the model that embedded the image
 */
public record StoredEmbedding(
        String eventId,
        String source,
        Map<String, String> attributes,
        float[] embedding,
        int partition,
        long offset,
        long timestamp,
        String modelId) {

    /** The same embedding at a position of the topic. */
    public StoredEmbedding at(int atPartition, long atOffset, long atTimestamp) {
        return new StoredEmbedding(eventId, source, attributes, embedding, atPartition, atOffset, atTimestamp, modelId);
    }
}
