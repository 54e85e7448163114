package io.clipstream.labels;

import io.clipstream.schema.ImageTags;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Timings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a verdict into the records the processor emits, {@link ImageTags} and one {@link PolicyFlag} per fired
 * policy. Shared by the streaming topology and {@code clipstream labels score}, so both say exactly the same.
 */
public final class ResultRecords {

    private ResultRecords() {}

    /** The tags record of one image under one label set. */
    public static ImageTags tags(
            String eventId, String modelId, CompiledLabelSet set, ImageVerdict verdict, Timings timings) {
        return ImageTags.newBuilder()
                .setEventId(eventId)
                .setModelId(modelId)
                .setLabelSetName(set.name())
                .setLabelSetVersion(set.version())
                .setTags(verdict.tags())
                .setTimings(timings)
                .build();
    }

    /**
     * The tags record of an event no active label set applies to (applies_to routing): empty set name, version
     * and tags, {@code noLabelSetApplies} true.
     */
    public static ImageTags noLabelSetApplies(String eventId, String modelId, Timings timings) {
        return ImageTags.newBuilder()
                .setEventId(eventId)
                .setModelId(modelId)
                .setLabelSetName("")
                .setLabelSetVersion("")
                .setTags(List.of())
                .setTimings(timings)
                .setNoLabelSetApplies(true)
                .build();
    }

    /** One flag per fired policy, in policy order; empty when none fired. */
    public static List<PolicyFlag> flags(
            String eventId, String modelId, CompiledLabelSet set, ImageVerdict verdict, Instant decidedAt) {
        List<PolicyFlag> flags = new ArrayList<>(verdict.fired().size());
        for (ImageVerdict.FiredPolicy fired : verdict.fired()) {
            flags.add(PolicyFlag.newBuilder()
                    .setEventId(eventId)
                    .setPolicyId(fired.policy().getId())
                    .setAction(fired.policy().getAction())
                    .setSeverity(fired.policy().getSeverity())
                    .setMatched(fired.matched())
                    .setModelId(modelId)
                    .setLabelSetName(set.name())
                    .setLabelSetVersion(set.version())
                    .setDecidedAt(decidedAt)
                    .build());
        }
        return flags;
    }
}
