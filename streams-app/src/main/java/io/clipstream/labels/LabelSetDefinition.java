package io.clipstream.labels;

import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelSetMode;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import java.util.List;

/**
 * A validated label set as its author wrote it (YAML), before compilation: every label's prompts resolved from its
 * own list or the templates, and every threshold resolved from the label or its group.
 *
 * @param source the file name, for messages
 * @param name the label-set name (the key on the label-set topic)
 * @param version the author's version
 * @param description free text
 * @param model the model the set is written for
 * @param templates the prompt templates
 * @param groups scoring groups
 * @param labels the labels, in file order
 * @param policies the moderation policies, in file order
 * @param mode live, or shadow (scored beside the live version, results to the shadow topics only)
 * @param appliesTo which events the set scores
 */
public record LabelSetDefinition(
        String source,
        String name,
        String version,
        String description,
        String model,
        List<String> templates,
        List<Group> groups,
        List<Label> labels,
        List<Policy> policies,
        LabelSetMode mode,
        EventSelector appliesTo) {

    /** A live set applying to every event. */
    public LabelSetDefinition(
            String source,
            String name,
            String version,
            String description,
            String model,
            List<String> templates,
            List<Group> groups,
            List<Label> labels,
            List<Policy> policies) {
        this(
                source,
                name,
                version,
                description,
                model,
                templates,
                groups,
                labels,
                policies,
                LabelSetMode.LIVE,
                EventSelector.ALL);
    }

    /**
     * A scoring group.
     *
     * @param name group name
     * @param scoring softmax (mutually exclusive) or threshold (independent)
     * @param threshold default cosine threshold of its labels, or null
     * @param topK softmax: most tags per image
     * @param minProbability softmax: least probability of a tag
     * @param logitScale softmax: multiplier of the cosines
     */
    public record Group(
            String name, GroupScoring scoring, Float threshold, int topK, float minProbability, float logitScale) {}

    /**
     * A label.
     *
     * @param id hierarchical id
     * @param displayName the name shown in results
     * @param group its group
     * @param prompts the prompts to embed and average
     * @param counterPrompts prompts the label must beat, possibly empty
     * @param threshold the effective cosine threshold (threshold groups), or null
     * @param line the line of the label in its file
     */
    public record Label(
            String id,
            String displayName,
            String group,
            List<String> prompts,
            List<String> counterPrompts,
            Float threshold,
            int line) {}

    /**
     * A policy.
     *
     * @param id policy id
     * @param match any or all of the selectors
     * @param selectors label ids or id prefixes
     * @param minScore least score of a matching tag, or null
     * @param action what to do when it fires
     * @param severity how bad it is
     */
    public record Policy(
            String id,
            PolicyMatch match,
            List<String> selectors,
            Float minScore,
            PolicyAction action,
            Severity severity) {}

    /** The group called {@code groupName}. */
    public Group group(String groupName) {
        return groups.stream()
                .filter(g -> g.name().equals(groupName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no group " + groupName));
    }
}
