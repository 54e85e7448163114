package io.clipstream.labels;

import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import java.util.Collections;
import java.util.List;

/** Compiled label sets for the 32-d random-weight test models, shared by topology tests and integration tests. */
public final class TestLabelSets {

    private TestLabelSets() {}

    /**
     * A set with one threshold label, "any.thing", that tags every image (threshold -1 against a constant unit
     * embedding) and one policy, {@code policyId}, that fires on it. The caller sets {@code compiledAt} (and, where it
     * matters, the mode) before building.
     */
    public static LabelSet.Builder alwaysFiring(
            String name, String version, String fingerprint, String policyId, PolicyAction action, Severity severity) {
        return LabelSet.newBuilder()
                .setName(name)
                .setVersion(version)
                .setDescription("")
                .setModelId("tiny-vit")
                .setModelFingerprint(fingerprint)
                .setDimension(32)
                .setGroups(List.of(LabelGroup.newBuilder()
                        .setName("g")
                        .setScoring(GroupScoring.THRESHOLD)
                        .build()))
                .setLabels(List.of(CompiledLabel.newBuilder()
                        .setId("any.thing")
                        .setDisplayName("anything")
                        .setGroup("g")
                        .setThreshold(-1f)
                        .setEmbedding(Collections.nCopies(32, 0.1767767f))
                        .build()))
                .setPolicies(List.of(Policy.newBuilder()
                        .setId(policyId)
                        .setMatch(PolicyMatch.ANY)
                        .setLabels(List.of("any"))
                        .setAction(action)
                        .setSeverity(severity)
                        .build()));
    }
}
