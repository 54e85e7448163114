package io.clipstream.labels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelSetMode;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a label-set YAML file, validates it against {@code label-set.schema.json} and then against the rules a
 * schema cannot express (unique ids, references between labels, groups and policies, templates), and resolves it
 * into a {@link LabelSetDefinition}. Every error names the file, the line and the field, for example
 * {@code moderation.yaml:42: labels[7].threshold: must be between -1 and 1}; unknown keys are errors.
 */
public final class LabelSetParser {

    private static final JsonNode SCHEMA_JSON = readSchema();
    private static final JsonSchema SCHEMA =
            JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(SCHEMA_JSON);

    private LabelSetParser() {
    }

    private static JsonNode readSchema() {
        try (InputStream in = LabelSetParser.class.getResourceAsStream("label-set.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("label-set.schema.json is missing from the classpath");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses and validates a file. */
    public static LabelSetDefinition parse(Path file) throws LabelSetValidationException, IOException {
        return parse(file.getFileName().toString(), Files.readString(file));
    }

    /**
     * Parses and validates YAML text.
     *
     * @param source the file name used in messages
     */
    public static LabelSetDefinition parse(String source, String yaml) throws LabelSetValidationException {
        Map<String, Integer> lines = new HashMap<>();
        List<String> errors = new ArrayList<>();
        JsonNode root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            options.setCodePointLimit(16 * 1024 * 1024);
            Node node = new Yaml(options).compose(new StringReader(yaml));
            if (node == null) {
                throw new LabelSetValidationException(List.of(source + ":1: the file is empty"));
            }
            root = toJson(source, node, "", lines, errors);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            throw new LabelSetValidationException(List.of(source + ":" + line + ": invalid YAML: "
                    + e.getProblem()));
        } catch (YAMLException e) {
            throw new LabelSetValidationException(List.of(source + ":1: invalid YAML: " + e.getMessage()));
        }
        if (errors.isEmpty()) {
            errors.addAll(schemaErrors(source, root, lines));
        }
        if (errors.isEmpty()) {
            LabelSetDefinition definition = resolve(source, (ObjectNode) root, lines, errors);
            if (errors.isEmpty()) {
                return definition;
            }
        }
        throw new LabelSetValidationException(errors);
    }

    private static JsonNode toJson(String source, Node node, String path, Map<String, Integer> lines,
            List<String> errors) {
        lines.put(path, node.getStartMark().getLine() + 1);
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof MappingNode mapping) {
            ObjectNode object = f.objectNode();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    errors.add(source + ":" + (tuple.getKeyNode().getStartMark().getLine() + 1) + ": "
                            + display(path) + "keys must be plain strings");
                    continue;
                }
                String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                if (object.has(key.getValue())) {
                    errors.add(source + ":" + (key.getStartMark().getLine() + 1) + ": " + child
                            + ": duplicate key (first at line " + lines.get(child) + ")");
                    continue;
                }
                lines.put(child, key.getStartMark().getLine() + 1);
                object.set(key.getValue(), toJson(source, tuple.getValueNode(), child, lines, errors));
                lines.put(child, key.getStartMark().getLine() + 1);
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = f.arrayNode();
            int i = 0;
            for (Node item : sequence.getValue()) {
                array.add(toJson(source, item, path + "[" + i++ + "]", lines, errors));
            }
            return array;
        }
        ScalarNode scalar = (ScalarNode) node;
        String value = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (Tag.INT.equals(tag)) {
                return f.numberNode(Long.parseLong(value.replace("_", "")));
            }
            if (Tag.FLOAT.equals(tag)) {
                return f.numberNode(Double.parseDouble(value.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            return f.textNode(value);
        }
        if (Tag.BOOL.equals(tag)) {
            return f.booleanNode(Boolean.parseBoolean(value.toLowerCase(Locale.ROOT)));
        }
        if (Tag.NULL.equals(tag)) {
            return f.nullNode();
        }
        return f.textNode(value);
    }

    private static String display(String path) {
        return path.isEmpty() ? "" : path + ": ";
    }

    private static String error(String source, Map<String, Integer> lines, String path, String message) {
        return source + ":" + line(lines, path) + ": " + display(path) + message;
    }

    private static int line(Map<String, Integer> lines, String path) {
        String p = path;
        while (true) {
            Integer line = lines.get(p);
            if (line != null) {
                return line;
            }
            int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
            if (cut <= 0) {
                return lines.getOrDefault("", 1);
            }
            p = p.substring(0, cut);
        }
    }

    private static List<String> schemaErrors(String source, JsonNode root, Map<String, Integer> lines) {
        record Located(int line, String text) {
        }
        List<Located> located = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ValidationMessage m : SCHEMA.validate(root)) {
            String path = m.getInstanceLocation().toString();
            path = path.equals("$") ? "" : path.startsWith("$.") ? path.substring(2) : path.substring(1);
            String message;
            JsonNode schema = parentSchema(m);
            switch (m.getType()) {
                case "required" -> message = "missing required key '" + m.getProperty() + "'";
                case "additionalProperties" -> {
                    path = path.isEmpty() ? m.getProperty() : path + "." + m.getProperty();
                    message = "unknown key";
                }
                case "type" -> message = "must be " + typeName(schema);
                case "enum" -> message = "must be one of " + enumValues(schema);
                case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" ->
                        message = rangeMessage(schema);
                case "minItems" -> message = schema.path("minItems").asInt() == 1
                        ? "must not be empty" : "must have at least " + schema.path("minItems").asInt()
                        + " items";
                case "minLength" -> message = "must not be empty";
                case "pattern" -> message = patternMessage(schema);
                default -> message = m.getMessage().replaceFirst("^\\$[^:]*: ", "");
            }
            String text = error(source, lines, path, message);
            if (seen.add(text)) {
                located.add(new Located(line(lines, path), text));
            }
        }
        return located.stream().sorted(Comparator.comparingInt(Located::line).thenComparing(Located::text))
                .map(Located::text).collect(Collectors.toList());
    }

    /** The schema object holding the keyword that failed (the message carries only the keyword's value). */
    private static JsonNode parentSchema(ValidationMessage m) {
        String location = m.getSchemaLocation().toString();
        int hash = location.indexOf("#/");
        JsonNode node = SCHEMA_JSON;
        if (hash < 0) {
            return node;
        }
        String[] parts = location.substring(hash + 2).split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.path(parts[i].replace("~1", "/").replace("~0", "~"));
        }
        return node;
    }

    private static String typeName(JsonNode schema) {
        JsonNode type = schema.path("type");
        List<String> names = new ArrayList<>();
        if (type.isArray()) {
            type.forEach(t -> names.add(article(t.asText())));
        } else {
            names.add(article(type.asText()));
        }
        return String.join(" or ", names);
    }

    private static String article(String type) {
        return switch (type) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "integer" -> "an integer";
            case "number" -> "a number";
            case "string" -> "a string";
            case "boolean" -> "true or false";
            default -> type;
        };
    }

    private static String enumValues(JsonNode schema) {
        List<String> values = new ArrayList<>();
        schema.path("enum").forEach(v -> values.add(v.asText()));
        return String.join(", ", values);
    }

    private static String rangeMessage(JsonNode schema) {
        String min = schema.has("minimum") ? schema.get("minimum").asText()
                : schema.has("exclusiveMinimum") ? "above " + schema.get("exclusiveMinimum").asText() : null;
        String max = schema.has("maximum") ? schema.get("maximum").asText() : null;
        if (schema.has("exclusiveMinimum") && max != null) {
            return "must be above " + schema.get("exclusiveMinimum").asText() + " and at most " + max;
        }
        if (min != null && max != null) {
            return "must be between " + min + " and " + max;
        }
        return min != null ? "must be at least " + min : "must be at most " + max;
    }

    private static String patternMessage(JsonNode schema) {
        String description = schema.path("description").asText("");
        if (description.startsWith("Hierarchical id")) {
            return "must be lower-case words (a-z, 0-9, _) separated by dots";
        }
        return "must match " + schema.path("pattern").asText();
    }

    private static LabelSetDefinition resolve(String source, ObjectNode root, Map<String, Integer> lines,
            List<String> errors) {
        List<String> templates = new ArrayList<>();
        JsonNode templatesNode = root.path("templates");
        for (int i = 0; i < templatesNode.size(); i++) {
            String template = templatesNode.get(i).asText();
            int first = template.indexOf("{}");
            if (first < 0 || template.indexOf("{}", first + 1) >= 0) {
                errors.add(error(source, lines, "templates[" + i + "]", "must contain {} exactly once"));
            }
            templates.add(template);
        }

        List<LabelSetDefinition.Group> groups = new ArrayList<>();
        Map<String, Integer> groupIndex = new HashMap<>();
        JsonNode groupsNode = root.path("groups");
        for (int i = 0; i < groupsNode.size(); i++) {
            JsonNode g = groupsNode.get(i);
            String path = "groups[" + i + "]";
            String name = g.path("name").asText();
            if (groupIndex.putIfAbsent(name, i) != null) {
                errors.add(error(source, lines, path + ".name", "duplicate group '" + name + "' (first at line "
                        + line(lines, "groups[" + groupIndex.get(name) + "]") + ")"));
            }
            GroupScoring scoring = GroupScoring.valueOf(g.path("scoring").asText().toUpperCase(Locale.ROOT));
            if (scoring == GroupScoring.SOFTMAX && g.has("threshold")) {
                errors.add(error(source, lines, path + ".threshold",
                        "softmax groups take min_probability, not a cosine threshold"));
            }
            if (scoring == GroupScoring.THRESHOLD) {
                for (String key : List.of("top_k", "min_probability", "logit_scale")) {
                    if (g.has(key)) {
                        errors.add(error(source, lines, path + "." + key, "applies to softmax groups only"));
                    }
                }
            }
            groups.add(new LabelSetDefinition.Group(name, scoring,
                    g.has("threshold") ? (float) g.get("threshold").doubleValue() : null,
                    g.path("top_k").asInt(1), (float) g.path("min_probability").asDouble(0),
                    (float) g.path("logit_scale").asDouble(100)));
        }

        List<LabelSetDefinition.Label> labels = new ArrayList<>();
        Map<String, Integer> labelIndex = new HashMap<>();
        JsonNode labelsNode = root.path("labels");
        for (int i = 0; i < labelsNode.size(); i++) {
            JsonNode l = labelsNode.get(i);
            String path = "labels[" + i + "]";
            String id = l.path("id").asText();
            if (labelIndex.putIfAbsent(id, i) != null) {
                errors.add(error(source, lines, path + ".id", "duplicate id '" + id + "' (first at line "
                        + line(lines, "labels[" + labelIndex.get(id) + "]") + ")"));
            }
            String groupName = l.path("group").asText();
            Integer gi = groupIndex.get(groupName);
            if (gi == null) {
                errors.add(error(source, lines, path + ".group", "no group named '" + groupName + "'"));
            }
            String display = l.has("name") ? l.get("name").asText()
                    : id.substring(id.lastIndexOf('.') + 1).replace('_', ' ');
            List<String> prompts = new ArrayList<>();
            if (l.has("prompts")) {
                l.get("prompts").forEach(p -> prompts.add(p.asText()));
            } else if (templates.isEmpty()) {
                errors.add(error(source, lines, path, "has no prompts and the set has no templates"));
            } else {
                templates.forEach(t -> prompts.add(t.replace("{}", display)));
            }
            List<String> counter = new ArrayList<>();
            l.path("counter_prompts").forEach(p -> counter.add(p.asText()));
            Float threshold = null;
            if (gi != null) {
                LabelSetDefinition.Group group = groups.get(gi);
                if (group.scoring() == GroupScoring.THRESHOLD) {
                    threshold = l.has("threshold") ? (Float) (float) l.get("threshold").doubleValue()
                            : group.threshold();
                    if (threshold == null) {
                        errors.add(error(source, lines, path, "needs a threshold: its group '" + groupName
                                + "' scores by threshold and declares no default"));
                    }
                } else if (l.has("threshold")) {
                    errors.add(error(source, lines, path + ".threshold", "group '" + groupName
                            + "' scores by softmax; thresholds apply to threshold groups"));
                } else if (!counter.isEmpty()) {
                    errors.add(error(source, lines, path + ".counter_prompts", "group '" + groupName
                            + "' scores by softmax; counter prompts apply to threshold groups"));
                }
            }
            labels.add(new LabelSetDefinition.Label(id, display, groupName, List.copyOf(prompts),
                    List.copyOf(counter), threshold, line(lines, path)));
        }

        List<LabelSetDefinition.Policy> policies = new ArrayList<>();
        Set<String> policyIds = new HashSet<>();
        JsonNode policiesNode = root.path("policies");
        for (int i = 0; i < policiesNode.size(); i++) {
            JsonNode p = policiesNode.get(i);
            String path = "policies[" + i + "]";
            if (!policyIds.add(p.path("id").asText())) {
                errors.add(error(source, lines, path + ".id", "duplicate policy id '" + p.path("id").asText()
                        + "'"));
            }
            if (p.has("any") == p.has("all")) {
                errors.add(error(source, lines, path, "must have exactly one of any, all"));
                continue;
            }
            PolicyMatch match = p.has("any") ? PolicyMatch.ANY : PolicyMatch.ALL;
            String key = match == PolicyMatch.ANY ? "any" : "all";
            List<String> selectors = new ArrayList<>();
            JsonNode list = p.get(key);
            for (int k = 0; k < list.size(); k++) {
                String selector = list.get(k).asText();
                boolean known = labelIndex.containsKey(selector)
                        || labelIndex.keySet().stream().anyMatch(id -> id.startsWith(selector + "."));
                if (!known) {
                    errors.add(error(source, lines, path + "." + key + "[" + k + "]", "no label or label prefix '"
                            + selector + "'"));
                }
                selectors.add(selector);
            }
            policies.add(new LabelSetDefinition.Policy(p.path("id").asText(), match, List.copyOf(selectors),
                    p.has("min_score") ? (float) p.get("min_score").doubleValue() : null,
                    PolicyAction.valueOf(p.path("action").asText().toUpperCase(Locale.ROOT)),
                    Severity.valueOf(p.path("severity").asText().toUpperCase(Locale.ROOT))));
        }
        errors.sort(Comparator.comparingInt(LabelSetParser::lineOf));
        return new LabelSetDefinition(source, root.path("name").asText(), root.path("version").asText(),
                root.path("description").asText(""), root.path("model").asText(), List.copyOf(templates),
                List.copyOf(groups), List.copyOf(labels), List.copyOf(policies),
                LabelSetMode.valueOf(root.path("mode").asText("live").toUpperCase(Locale.ROOT)),
                selector(root.path("applies_to")));
    }

    private static EventSelector selector(JsonNode appliesTo) {
        if (appliesTo.isMissingNode()) {
            return EventSelector.ALL;
        }
        List<String> sources = new ArrayList<>();
        appliesTo.path("sources").forEach(s -> sources.add(s.asText()));
        Map<String, String> attributes = new java.util.TreeMap<>();
        appliesTo.path("attributes").fields().forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
        return new EventSelector(sources, attributes);
    }

    private static int lineOf(String error) {
        int first = error.indexOf(':');
        int second = error.indexOf(':', first + 1);
        try {
            return Integer.parseInt(error.substring(first + 1, second));
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
