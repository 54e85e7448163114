package io.clipstream.labels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as plain JSON for people and scripts: fields by name, enums as their symbol, timestamps as
 * ISO-8601, bytes as base64, unions as their value (not Avro's tagged JSON encoding).
 */
public final class AvroJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private AvroJson() {}

    /** The record as a JSON object. */
    public static ObjectNode toJson(IndexedRecord record) {
        ObjectNode node = F.objectNode();
        for (Schema.Field field : record.getSchema().getFields()) {
            node.set(field.name(), value(record.get(field.pos())));
        }
        return node;
    }

    private static JsonNode value(Object v) {
        if (v == null) {
            return F.nullNode();
        }
        if (v instanceof IndexedRecord r) {
            return toJson(r);
        }
        if (v instanceof GenericContainer c && c.getSchema().getType() == Schema.Type.ENUM) {
            return F.textNode(v.toString());
        }
        if (v instanceof Enum<?> e) {
            return F.textNode(e.name());
        }
        if (v instanceof CharSequence s) {
            return F.textNode(s.toString());
        }
        if (v instanceof Instant t) {
            return F.textNode(t.toString());
        }
        if (v instanceof Float f) {
            return F.numberNode(f);
        }
        if (v instanceof Double d) {
            return F.numberNode(d);
        }
        if (v instanceof Integer i) {
            return F.numberNode(i);
        }
        if (v instanceof Long l) {
            return F.numberNode(l);
        }
        if (v instanceof Boolean b) {
            return F.booleanNode(b);
        }
        if (v instanceof ByteBuffer b) {
            ByteBuffer copy = b.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return F.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (v instanceof Collection<?> list) {
            ArrayNode array = F.arrayNode();
            list.forEach(item -> array.add(value(item)));
            return array;
        }
        if (v instanceof Map<?, ?> map) {
            ObjectNode object = F.objectNode();
            map.forEach((k, item) -> object.set(k.toString(), value(item)));
            return object;
        }
        return F.textNode(v.toString());
    }
}
