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

    private LabelSetParser() {}

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
        Problems problems = new Problems(source);
        JsonNode root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            options.setCodePointLimit(16 * 1024 * 1024);
            Node node = new Yaml(options).compose(new StringReader(yaml));
            if (node == null) {
                throw new LabelSetValidationException(List.of(new LabelSetProblem(source, 1, "", "the file is empty")));
            }
            root = toJson(node, "", problems);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
            throw new LabelSetValidationException(
                    List.of(new LabelSetProblem(source, line, "", "invalid YAML: " + e.getProblem())));
        } catch (YAMLException e) {
            throw new LabelSetValidationException(
                    List.of(new LabelSetProblem(source, 1, "", "invalid YAML: " + e.getMessage())));
        }
        if (problems.isEmpty()) {
            schemaErrors(root, problems);
        }
        if (problems.isEmpty()) {
            LabelSetDefinition definition = resolve((ObjectNode) root, problems);
            if (problems.isEmpty()) {
                return definition;
            }
        }
        throw new LabelSetValidationException(problems.list);
    }

    /** The problems found so far, and the line of each key path of the document. */
    private static final class Problems {
        final String source;
        final Map<String, Integer> lines = new HashMap<>();
        final List<LabelSetProblem> list = new ArrayList<>();

        Problems(String source) {
            this.source = source;
        }

        void at(String path, String message) {
            list.add(new LabelSetProblem(source, line(path), path, message));
        }

        void atLine(int line, String path, String message) {
            list.add(new LabelSetProblem(source, line, path, message));
        }

        boolean isEmpty() {
            return list.isEmpty();
        }

        /** The line of {@code path}, or of its nearest ancestor that has one. */
        int line(String path) {
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
    }

    private static JsonNode toJson(Node node, String path, Problems problems) {
        Map<String, Integer> lines = problems.lines;
        lines.put(path, node.getStartMark().getLine() + 1);
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof MappingNode mapping) {
            ObjectNode object = f.objectNode();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                    problems.atLine(
                            tuple.getKeyNode().getStartMark().getLine() + 1, path, "keys must be plain strings");
                    continue;
                }
                String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
                if (object.has(key.getValue())) {
                    problems.atLine(
                            key.getStartMark().getLine() + 1,
                            child,
                            "duplicate key (first at line " + lines.get(child) + ")");
                    continue;
                }
                lines.put(child, key.getStartMark().getLine() + 1);
                object.set(key.getValue(), toJson(tuple.getValueNode(), child, problems));
                lines.put(child, key.getStartMark().getLine() + 1);
            }
            return object;
        }
        if (node instanceof SequenceNode sequence) {
            ArrayNode array = f.arrayNode();
            int i = 0;
            for (Node item : sequence.getValue()) {
                array.add(toJson(item, path + "[" + i++ + "]", problems));
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

    private static void schemaErrors(JsonNode root, Problems problems) {
        List<LabelSetProblem> located = new ArrayList<>();
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
                case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" -> message = rangeMessage(schema);
                case "minItems" ->
                    message = schema.path("minItems").asInt() == 1
                            ? "must not be empty"
                            : "must have at least " + schema.path("minItems").asInt() + " items";
                case "minLength" -> message = "must not be empty";
                case "pattern" -> message = patternMessage(schema);
                default -> message = m.getMessage().replaceFirst("^\\$[^:]*: ", "");
            }
            LabelSetProblem problem = new LabelSetProblem(problems.source, problems.line(path), path, message);
            if (seen.add(problem.toString())) {
                located.add(problem);
            }
        }
        located.sort(Comparator.comparingInt(LabelSetProblem::line).thenComparing(LabelSetProblem::toString));
        problems.list.addAll(located);
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
        String min = schema.has("minimum")
                ? schema.get("minimum").asText()
                : schema.has("exclusiveMinimum")
                        ? "above " + schema.get("exclusiveMinimum").asText()
                        : null;
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

    private static LabelSetDefinition resolve(ObjectNode root, Problems problems) {
        List<String> templates = templates(root.path("templates"), problems);
        Map<String, Integer> groupIndex = new HashMap<>();
        List<LabelSetDefinition.Group> groups = groups(root.path("groups"), groupIndex, problems);
        Map<String, Integer> labelIndex = new HashMap<>();
        List<LabelSetDefinition.Label> labels = new ArrayList<>();
        JsonNode labelsNode = root.path("labels");
        for (int i = 0; i < labelsNode.size(); i++) {
            labels.add(label(
                    labelsNode.get(i), "labels[" + i + "]", i, templates, groups, groupIndex, labelIndex, problems));
        }
        List<LabelSetDefinition.Policy> policies = policies(root.path("policies"), labelIndex.keySet(), problems);
        problems.list.sort(Comparator.comparingInt(LabelSetProblem::line));
        return new LabelSetDefinition(
                problems.source,
                root.path("name").asText(),
                root.path("version").asText(),
                root.path("description").asText(""),
                root.path("model").asText(),
                List.copyOf(templates),
                List.copyOf(groups),
                List.copyOf(labels),
                List.copyOf(policies),
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
        appliesTo
                .path("attributes")
                .fields()
                .forEachRemaining(e -> attributes.put(e.getKey(), e.getValue().asText()));
        return new EventSelector(sources, attributes);
    }

    private static List<String> templates(JsonNode templatesNode, Problems problems) {
        List<String> templates = new ArrayList<>();
        for (int i = 0; i < templatesNode.size(); i++) {
            String template = templatesNode.get(i).asText();
            int first = template.indexOf("{}");
            if (first < 0 || template.indexOf("{}", first + 1) >= 0) {
                problems.at("templates[" + i + "]", "must contain {} exactly once");
            }
            templates.add(template);
        }
        return templates;
    }

    private static List<LabelSetDefinition.Group> groups(
            JsonNode groupsNode, Map<String, Integer> groupIndex, Problems problems) {
        List<LabelSetDefinition.Group> groups = new ArrayList<>();
        for (int i = 0; i < groupsNode.size(); i++) {
            JsonNode g = groupsNode.get(i);
            String path = "groups[" + i + "]";
            String name = g.path("name").asText();
            if (groupIndex.putIfAbsent(name, i) != null) {
                problems.at(
                        path + ".name",
                        "duplicate group '" + name + "' (first at line "
                                + problems.line("groups[" + groupIndex.get(name) + "]") + ")");
            }
            GroupScoring scoring =
                    GroupScoring.valueOf(g.path("scoring").asText().toUpperCase(Locale.ROOT));
            if (scoring == GroupScoring.SOFTMAX && g.has("threshold")) {
                problems.at(path + ".threshold", "softmax groups take min_probability, not a cosine threshold");
            }
            if (scoring == GroupScoring.THRESHOLD) {
                for (String key : List.of("top_k", "min_probability", "logit_scale")) {
                    if (g.has(key)) {
                        problems.at(path + "." + key, "applies to softmax groups only");
                    }
                }
            }
            groups.add(new LabelSetDefinition.Group(
                    name,
                    scoring,
                    g.has("threshold") ? (float) g.get("threshold").doubleValue() : null,
                    g.path("top_k").asInt(1),
                    (float) g.path("min_probability").asDouble(0),
                    (float) g.path("logit_scale").asDouble(100)));
        }
        return groups;
    }

    private static LabelSetDefinition.Label label(
            JsonNode l,
            String path,
            int index,
            List<String> templates,
            List<LabelSetDefinition.Group> groups,
            Map<String, Integer> groupIndex,
            Map<String, Integer> labelIndex,
            Problems problems) {
        String id = l.path("id").asText();
        if (labelIndex.putIfAbsent(id, index) != null) {
            problems.at(
                    path + ".id",
                    "duplicate id '" + id + "' (first at line " + problems.line("labels[" + labelIndex.get(id) + "]")
                            + ")");
        }
        String groupName = l.path("group").asText();
        Integer gi = groupIndex.get(groupName);
        if (gi == null) {
            problems.at(path + ".group", "no group named '" + groupName + "'");
        }
        String display = l.has("name")
                ? l.get("name").asText()
                : id.substring(id.lastIndexOf('.') + 1).replace('_', ' ');
        List<String> prompts = new ArrayList<>();
        if (l.has("prompts")) {
            l.get("prompts").forEach(p -> prompts.add(p.asText()));
        } else if (templates.isEmpty()) {
            problems.at(path, "has no prompts and the set has no templates");
        } else {
            templates.forEach(t -> prompts.add(t.replace("{}", display)));
        }
        List<String> counter = new ArrayList<>();
        l.path("counter_prompts").forEach(p -> counter.add(p.asText()));
        Float threshold = gi == null ? null : labelThreshold(l, path, groups.get(gi), counter, problems);
        return new LabelSetDefinition.Label(
                id, display, groupName, List.copyOf(prompts), List.copyOf(counter), threshold, problems.line(path));
    }

    /** The label's cosine threshold in a threshold group (its own or the group's), null in a softmax group. */
    private static Float labelThreshold(
            JsonNode l, String path, LabelSetDefinition.Group group, List<String> counter, Problems problems) {
        if (group.scoring() == GroupScoring.THRESHOLD) {
            Float threshold =
                    l.has("threshold") ? (Float) (float) l.get("threshold").doubleValue() : group.threshold();
            if (threshold == null) {
                problems.at(
                        path,
                        "needs a threshold: its group '" + group.name()
                                + "' scores by threshold and declares no default");
            }
            return threshold;
        }
        if (l.has("threshold")) {
            problems.at(
                    path + ".threshold",
                    "group '" + group.name() + "' scores by softmax; thresholds apply to threshold groups");
        } else if (!counter.isEmpty()) {
            problems.at(
                    path + ".counter_prompts",
                    "group '" + group.name() + "' scores by softmax; counter prompts apply to threshold groups");
        }
        return null;
    }

    private static List<LabelSetDefinition.Policy> policies(
            JsonNode policiesNode, Set<String> labelIds, Problems problems) {
        List<LabelSetDefinition.Policy> policies = new ArrayList<>();
        Set<String> policyIds = new HashSet<>();
        for (int i = 0; i < policiesNode.size(); i++) {
            JsonNode p = policiesNode.get(i);
            String path = "policies[" + i + "]";
            if (!policyIds.add(p.path("id").asText())) {
                problems.at(path + ".id", "duplicate policy id '" + p.path("id").asText() + "'");
            }
            if (p.has("any") == p.has("all")) {
                problems.at(path, "must have exactly one of any, all");
                continue;
            }
            PolicyMatch match = p.has("any") ? PolicyMatch.ANY : PolicyMatch.ALL;
            String key = match == PolicyMatch.ANY ? "any" : "all";
            List<String> selectors = new ArrayList<>();
            JsonNode list = p.get(key);
            for (int k = 0; k < list.size(); k++) {
                String selector = list.get(k).asText();
                boolean known =
                        labelIds.contains(selector) || labelIds.stream().anyMatch(id -> id.startsWith(selector + "."));
                if (!known) {
                    problems.at(path + "." + key + "[" + k + "]", "no label or label prefix '" + selector + "'");
                }
                selectors.add(selector);
            }
            policies.add(new LabelSetDefinition.Policy(
                    p.path("id").asText(),
                    match,
                    List.copyOf(selectors),
                    p.has("min_score") ? (float) p.get("min_score").doubleValue() : null,
                    PolicyAction.valueOf(p.path("action").asText().toUpperCase(Locale.ROOT)),
                    Severity.valueOf(p.path("severity").asText().toUpperCase(Locale.ROOT))));
        }
        return policies;
    }
}
