package io.clipstream.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Writes one JSON object per line and flushes it, so results stream as they are produced. */
final class JsonLines {

    private final ObjectMapper mapper = new ObjectMapper();
    private final PrintWriter out;

    JsonLines(PrintWriter out) {
        this.out = out;
    }

    ObjectNode object() {
        return mapper.createObjectNode();
    }

    static ArrayNode floats(ObjectNode node, String field, float[] values) {
        ArrayNode array = node.putArray(field);
        for (float v : values) {
            array.add(v);
        }
        return array;
    }

    void write(ObjectNode node) {
        try {
            out.println(mapper.writeValueAsString(node));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
