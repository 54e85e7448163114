package io.clipstream.labels;

import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.LabelSetMode;
import io.clipstream.schema.Policy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What changed between two versions of a label set, YAML or compiled: the set's own settings, then groups, labels
 * and policies added, removed or changed, each change naming the fields with their old and new values. Both sides
 * are first reduced to what they have in common (a label's effective threshold, its prompts; a compiled file keeps
 * no counter-prompt text, so counter prompts are compared by count), so a YAML file and its compiled form show no
 * difference.
 */
public final class LabelSetDiff {

    /** What a change is about. */
    public enum Kind {
        SET,
        GROUP,
        LABEL,
        POLICY;

        /** Lower-case name, as printed. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How an entry changed. */
    public enum Change {
        ADDED,
        REMOVED,
        CHANGED;

        /** Lower-case name, as printed. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One field that differs.
     *
     * @param field the field's YAML name
     * @param before its old value ("" when absent)
     * @param after its new value ("" when absent)
     */
    public record Field(String field, String before, String after) {}

    /**
     * One entry added, removed or changed.
     *
     * @param kind set, group, label or policy
     * @param id the entry's name or id (the set's name for {@link Kind#SET})
     * @param change added, removed or changed
     * @param fields for a change, the fields that differ; for an addition, the new entry's fields; else empty
     */
    public record Entry(Kind kind, String id, Change change, List<Field> fields) {}

    /**
     * The whole difference.
     *
     * @param name the set's name (the new side's)
     * @param before the old version
     * @param after the new version
     * @param entries the changes: set first, then groups, labels, policies, each in the new file's order with
     *     removals last
     */
    public record Result(String name, String before, String after, List<Entry> entries) {}

    private LabelSetDiff() {}

    /** A side reduced to comparable fields: per kind, id to ordered field values. */
    private record Side(
            String name,
            String version,
            Map<String, String> set,
            Map<String, Map<String, String>> groups,
            Map<String, Map<String, String>> labels,
            Map<String, Map<String, String>> policies) {}

    private static Result compare(Side before, Side after) {
        List<Entry> entries = new ArrayList<>();
        Map<String, Map<String, String>> setBefore = Map.of(before.name(), before.set());
        Map<String, Map<String, String>> setAfter = Map.of(after.name(), after.set());
        compare(Kind.SET, setBefore, setAfter, entries);
        compare(Kind.GROUP, before.groups(), after.groups(), entries);
        compare(Kind.LABEL, before.labels(), after.labels(), entries);
        compare(Kind.POLICY, before.policies(), after.policies(), entries);
        return new Result(after.name(), before.version(), after.version(), List.copyOf(entries));
    }

    /** The difference between two compiled sets. */
    public static Result between(LabelSet before, LabelSet after) {
        return compare(side(before), side(after));
    }

    /** The difference between two definitions (YAML). */
    public static Result between(LabelSetDefinition before, LabelSetDefinition after) {
        return compare(side(before), side(after));
    }

    /**
     * The difference between two sides, each a compiled {@link LabelSet} or a {@link LabelSetDefinition}.
     *
     * @throws IllegalArgumentException when a side is neither
     */
    public static Result betweenAny(Object before, Object after) {
        return compare(side(before), side(after));
    }

    private static Side side(Object set) {
        if (set instanceof LabelSet compiled) {
            return side(compiled);
        }
        if (set instanceof LabelSetDefinition definition) {
            return side(definition);
        }
        throw new IllegalArgumentException("not a label set: " + set);
    }

    private static void compare(
            Kind kind,
            Map<String, Map<String, String>> before,
            Map<String, Map<String, String>> after,
            List<Entry> out) {
        for (Map.Entry<String, Map<String, String>> entry : after.entrySet()) {
            Map<String, String> old = before.get(entry.getKey());
            if (old == null && kind != Kind.SET) {
                List<Field> fields = new ArrayList<>();
                entry.getValue().forEach((field, value) -> {
                    if (!value.isEmpty()) {
                        fields.add(new Field(field, "", value));
                    }
                });
                out.add(new Entry(kind, entry.getKey(), Change.ADDED, List.copyOf(fields)));
                continue;
            }
            if (old == null) {
                old = before.values().iterator().next();
            }
            List<Field> changed = new ArrayList<>();
            for (Map.Entry<String, String> field : entry.getValue().entrySet()) {
                String was = old.getOrDefault(field.getKey(), "");
                if (!Objects.equals(was, field.getValue())) {
                    changed.add(new Field(field.getKey(), was, field.getValue()));
                }
            }
            if (!changed.isEmpty()) {
                out.add(new Entry(kind, entry.getKey(), Change.CHANGED, List.copyOf(changed)));
            }
        }
        if (kind == Kind.SET) {
            return;
        }
        for (String id : before.keySet()) {
            if (!after.containsKey(id)) {
                out.add(new Entry(kind, id, Change.REMOVED, List.of()));
            }
        }
    }

    private static Side side(LabelSet set) {
        Map<String, String> own = setFields(
                set.getVersion(),
                set.getModelId(),
                set.getMode() == null ? LabelSetMode.LIVE : set.getMode(),
                EventSelector.of(set.getAppliesTo()));
        Map<String, Map<String, String>> groups = new LinkedHashMap<>();
        for (LabelGroup g : set.getGroups()) {
            groups.put(
                    g.getName(),
                    groupFields(g.getScoring().name(), g.getTopK(), g.getMinProbability(), g.getLogitScale()));
        }
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        for (CompiledLabel l : set.getLabels()) {
            labels.put(
                    l.getId(),
                    labelFields(
                            l.getDisplayName(),
                            l.getGroup(),
                            l.getThreshold(),
                            l.getPrompts(),
                            l.getCounterEmbeddings().size()));
        }
        Map<String, Map<String, String>> policies = new LinkedHashMap<>();
        for (Policy p : set.getPolicies()) {
            policies.put(
                    p.getId(),
                    policyFields(
                            p.getMatch().name(),
                            p.getLabels(),
                            p.getMinScore(),
                            p.getAction().name(),
                            p.getSeverity().name()));
        }
        return new Side(set.getName(), set.getVersion(), own, groups, labels, policies);
    }

    private static Side side(LabelSetDefinition set) {
        Map<String, String> own = setFields(set.version(), set.model(), set.mode(), set.appliesTo());
        Map<String, Map<String, String>> groups = new LinkedHashMap<>();
        for (LabelSetDefinition.Group g : set.groups()) {
            groups.put(g.name(), groupFields(g.scoring().name(), g.topK(), g.minProbability(), g.logitScale()));
        }
        Map<String, Map<String, String>> labels = new LinkedHashMap<>();
        for (LabelSetDefinition.Label l : set.labels()) {
            labels.put(
                    l.id(),
                    labelFields(
                            l.displayName(),
                            l.group(),
                            l.threshold(),
                            l.prompts(),
                            l.counterPrompts().size()));
        }
        Map<String, Map<String, String>> policies = new LinkedHashMap<>();
        for (LabelSetDefinition.Policy p : set.policies()) {
            policies.put(
                    p.id(),
                    policyFields(
                            p.match().name(),
                            p.selectors(),
                            p.minScore(),
                            p.action().name(),
                            p.severity().name()));
        }
        return new Side(set.name(), set.version(), own, groups, labels, policies);
    }

    private static Map<String, String> setFields(
            String version, String model, LabelSetMode mode, EventSelector appliesTo) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("version", version);
        fields.put("model", model);
        fields.put("mode", lower(mode.name()));
        fields.put("applies_to", appliesTo.describe());
        return fields;
    }

    private static Map<String, String> groupFields(String scoring, int topK, float minProbability, float logitScale) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("scoring", lower(scoring));
        if (scoring.equals("SOFTMAX")) {
            fields.put("top_k", Integer.toString(topK));
            fields.put("min_probability", number(minProbability));
            fields.put("logit_scale", number(logitScale));
        }
        return fields;
    }

    private static Map<String, String> labelFields(
            String name, String group, Float threshold, List<String> prompts, int counterPrompts) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("name", name);
        fields.put("group", group);
        fields.put("threshold", number(threshold));
        fields.put("prompts", prompts.toString());
        fields.put("counter_prompts", Integer.toString(counterPrompts));
        return fields;
    }

    private static Map<String, String> policyFields(
            String match, List<String> labels, Float minScore, String action, String severity) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("match", lower(match));
        fields.put("labels", labels.toString());
        fields.put("min_score", number(minScore));
        fields.put("action", lower(action));
        fields.put("severity", lower(severity));
        return fields;
    }

    private static String number(Float value) {
        return value == null ? "" : Float.toString(value);
    }

    private static String lower(String value) {
        return value.toLowerCase(Locale.ROOT);
    }
}
