package io.clipstream.labels;

import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import java.time.Instant;
import java.util.List;

/** A hand-made two-dimensional label set whose scores can be worked out on paper. */
final class LabelSetFixtures {

    static final String FINGERPRINT = "sha256:test";

    private LabelSetFixtures() {}

    static CompiledLabel label(
            String id, String group, Float threshold, List<Float> embedding, List<List<Float>> counters) {
        return CompiledLabel.newBuilder()
                .setId(id)
                .setDisplayName(id.substring(id.indexOf('.') + 1))
                .setGroup(group)
                .setThreshold(threshold)
                .setEmbedding(embedding)
                .setCounterEmbeddings(counters)
                .setPrompts(List.of())
                .build();
    }

    static Policy policy(
            String id, PolicyMatch match, List<String> labels, Float minScore, PolicyAction action, Severity severity) {
        return Policy.newBuilder()
                .setId(id)
                .setMatch(match)
                .setLabels(labels)
                .setMinScore(minScore)
                .setAction(action)
                .setSeverity(severity)
                .build();
    }

    /**
     * shape (softmax, scale 10, top 2, p ≥ 0.2): circle (1,0), square (0,1); signs (threshold): warning (0.6,0.8)
     * at 0.5 with counter (1,0), skull (0.8,-0.6) at 0.5.
     */
    static LabelSet paperSet(String version, String fingerprint) {
        return LabelSet.newBuilder()
                .setName("paper")
                .setVersion(version)
                .setDescription("")
                .setModelId("test")
                .setModelFingerprint(fingerprint)
                .setDimension(2)
                .setGroups(List.of(
                        LabelGroup.newBuilder()
                                .setName("shape")
                                .setScoring(GroupScoring.SOFTMAX)
                                .setLogitScale(10f)
                                .setTopK(2)
                                .setMinProbability(0.2f)
                                .build(),
                        LabelGroup.newBuilder()
                                .setName("signs")
                                .setScoring(GroupScoring.THRESHOLD)
                                .build()))
                .setLabels(List.of(
                        label("shape.circle", "shape", null, List.of(1f, 0f), List.of()),
                        label("shape.square", "shape", null, List.of(0f, 1f), List.of()),
                        label("signs.warning", "signs", 0.5f, List.of(0.6f, 0.8f), List.of(List.of(1f, 0f))),
                        label("signs.skull", "signs", 0.5f, List.of(0.8f, -0.6f), List.of())))
                .setPolicies(List.of(
                        policy(
                                "strong-sign",
                                PolicyMatch.ANY,
                                List.of("signs"),
                                0.9f,
                                PolicyAction.REVIEW,
                                Severity.MEDIUM),
                        policy(
                                "circle-and-warning",
                                PolicyMatch.ALL,
                                List.of("shape.circle", "signs.warning"),
                                null,
                                PolicyAction.BLOCK,
                                Severity.CRITICAL),
                        policy(
                                "skull",
                                PolicyMatch.ANY,
                                List.of("signs.skull"),
                                null,
                                PolicyAction.ALLOW,
                                Severity.LOW)))
                .setCompiledAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }
}
