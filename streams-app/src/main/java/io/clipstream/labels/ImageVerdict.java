package io.clipstream.labels;

import io.clipstream.schema.MatchedLabel;
import io.clipstream.schema.Policy;
import io.clipstream.schema.Tag;
import java.util.List;

/**
 * What one label set says about one image: its tags (grouped in the set's group order, best first) and the
 * policies that fired.
 *
 * @param tags the tags
 * @param fired the policies that fired, in the set's policy order
 */
public record ImageVerdict(List<Tag> tags, List<FiredPolicy> fired) {

    /**
     * A policy that fired, with the tags it rests on.
     *
     * @param policy the policy
     * @param matched each matching tag with its score and the threshold it cleared
     */
    public record FiredPolicy(Policy policy, List<MatchedLabel> matched) {}
}
