package io.clipstream.labels;

import io.clipstream.clip.Embeddings;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.LabelSetMode;
import io.clipstream.schema.MatchedLabel;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Tag;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A label set ready to score: its label embeddings as one {@code L × D} matrix, so that scoring N images is one
 * matrix product, followed by per-group tagging and policy evaluation. Immutable and thread-safe.
 */
public final class CompiledLabelSet {

    private final LabelSet source;
    private final int dimension;
    private final float[] matrix;
    /** The same matrix transposed, {@code D × L}: the cosine loop runs over labels, which the JIT vectorises. */
    private final float[] transposed;

    private final List<CompiledLabel> labels;
    private final float[][][] counters;
    private final List<GroupPlan> groups;
    private final Map<String, Float> tagThresholds = new HashMap<>();
    private final EventSelector selector;

    private record GroupPlan(LabelGroup group, int[] members) {}

    private CompiledLabelSet(LabelSet source) {
        this.source = source;
        this.dimension = source.getDimension();
        this.labels = List.copyOf(source.getLabels());
        this.matrix = new float[labels.size() * dimension];
        this.counters = new float[labels.size()][][];
        Map<String, List<Integer>> byGroup = new HashMap<>();
        for (int l = 0; l < labels.size(); l++) {
            CompiledLabel label = labels.get(l);
            List<Float> embedding = label.getEmbedding();
            if (embedding.size() != dimension) {
                throw new IllegalArgumentException("label set " + source.getName() + ": label " + label.getId()
                        + " has " + embedding.size() + " dimensions, the set declares " + dimension);
            }
            for (int d = 0; d < dimension; d++) {
                matrix[l * dimension + d] = embedding.get(d);
            }
            counters[l] = new float[label.getCounterEmbeddings().size()][];
            for (int c = 0; c < counters[l].length; c++) {
                counters[l][c] = unboxed(label.getCounterEmbeddings().get(c), dimension, label.getId());
            }
            byGroup.computeIfAbsent(label.getGroup(), g -> new ArrayList<>()).add(l);
        }
        List<GroupPlan> plans = new ArrayList<>();
        for (LabelGroup group : source.getGroups()) {
            List<Integer> members = byGroup.remove(group.getName());
            if (members != null) {
                plans.add(new GroupPlan(
                        group, members.stream().mapToInt(Integer::intValue).toArray()));
                for (int l : members) {
                    tagThresholds.put(
                            labels.get(l).getId(),
                            group.getScoring() == GroupScoring.SOFTMAX
                                    ? (Float) group.getMinProbability()
                                    : labels.get(l).getThreshold());
                }
            }
        }
        if (!byGroup.isEmpty()) {
            throw new IllegalArgumentException(
                    "label set " + source.getName() + ": labels refer to undeclared" + " groups " + byGroup.keySet());
        }
        this.groups = List.copyOf(plans);
        this.selector = EventSelector.of(source.getAppliesTo());
        this.transposed = new float[matrix.length];
        for (int l = 0; l < labels.size(); l++) {
            for (int d = 0; d < dimension; d++) {
                transposed[d * labels.size() + l] = matrix[l * dimension + d];
            }
        }
    }

    /**
     * Prepares a published label set for scoring.
     *
     * @throws IllegalArgumentException when the record is inconsistent (dimensions, groups)
     */
    public static CompiledLabelSet of(LabelSet labelSet) {
        return new CompiledLabelSet(labelSet);
    }

    private static float[] unboxed(List<Float> values, int dimension, String labelId) {
        if (values.size() != dimension) {
            throw new IllegalArgumentException(
                    "counter embedding of " + labelId + " has " + values.size() + " dimensions, expected " + dimension);
        }
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            v[i] = values.get(i);
        }
        return v;
    }

    /** The published record. */
    public LabelSet source() {
        return source;
    }

    public String name() {
        return source.getName();
    }

    public String version() {
        return source.getVersion();
    }

    public String modelFingerprint() {
        return source.getModelFingerprint();
    }

    public int dimension() {
        return dimension;
    }

    /** Which events the set scores. */
    public EventSelector appliesTo() {
        return selector;
    }

    /** True for a shadow version: its results go to the shadow topics only. */
    public boolean shadow() {
        return source.getMode() == LabelSetMode.SHADOW;
    }

    public int labelCount() {
        return labels.size();
    }

    /**
     * The cosine of every image with every label: {@code embeddings[N×D] · labels[D×L]}, row-major {@code N × L}.
     *
     * @param embeddings L2-normalised image embeddings of this set's dimension
     */
    public float[] cosines(float[][] embeddings) {
        int count = labels.size();
        float[] out = new float[embeddings.length * count];
        for (int n = 0; n < embeddings.length; n++) {
            float[] e = embeddings[n];
            if (e.length != dimension) {
                throw new IllegalArgumentException(
                        "image embedding has " + e.length + " dimensions, label set " + name() + " has " + dimension);
            }
            // Each cosine still sums its products in dimension order from 0, so the result is the same float as
            // the plain dot product; running the inner loop over labels lets the JIT use SIMD lanes.
            int row = n * count;
            for (int d = 0; d < dimension; d++) {
                float value = e[d];
                int base = d * count;
                for (int l = 0; l < count; l++) {
                    out[row + l] += value * transposed[base + l];
                }
            }
        }
        return out;
    }

    /** Scores a batch of images: one verdict per embedding, in order. */
    public List<ImageVerdict> score(float[][] embeddings) {
        float[] cosines = cosines(embeddings);
        List<ImageVerdict> verdicts = new ArrayList<>(embeddings.length);
        for (int n = 0; n < embeddings.length; n++) {
            List<Tag> tags = tag(cosines, n * labels.size(), embeddings[n]);
            verdicts.add(new ImageVerdict(tags, evaluatePolicies(tags)));
        }
        return verdicts;
    }

    private List<Tag> tag(float[] cosines, int offset, float[] embedding) {
        List<Tag> tags = new ArrayList<>();
        for (GroupPlan plan : groups) {
            int[] members = plan.members();
            LabelGroup group = plan.group();
            if (group.getScoring() == GroupScoring.SOFTMAX) {
                float[] groupCosines = new float[members.length];
                for (int i = 0; i < members.length; i++) {
                    groupCosines[i] = cosines[offset + members[i]];
                }
                double[] p = Embeddings.softmax(groupCosines, group.getLogitScale());
                Integer[] order = sortedDescending(p);
                for (int r = 0; r < Math.min(group.getTopK(), order.length); r++) {
                    int i = order[r];
                    if (p[i] < group.getMinProbability()) {
                        break;
                    }
                    tags.add(tag(labels.get(members[i]), (float) p[i], r + 1));
                }
            } else {
                List<Integer> passed = new ArrayList<>();
                for (int l : members) {
                    float cosine = cosines[offset + l];
                    Float threshold = labels.get(l).getThreshold();
                    if (threshold != null && cosine >= threshold && beatsCounters(l, cosine, embedding)) {
                        passed.add(l);
                    }
                }
                passed.sort(Comparator.comparingDouble((Integer l) -> -cosines[offset + l]));
                for (int r = 0; r < passed.size(); r++) {
                    int l = passed.get(r);
                    tags.add(tag(labels.get(l), cosines[offset + l], r + 1));
                }
            }
        }
        return tags;
    }

    private boolean beatsCounters(int label, float cosine, float[] embedding) {
        for (float[] counter : counters[label]) {
            if (Embeddings.dot(embedding, counter) >= cosine) {
                return false;
            }
        }
        return true;
    }

    private static Integer[] sortedDescending(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        return order;
    }

    private static Tag tag(CompiledLabel label, float score, int rank) {
        return Tag.newBuilder()
                .setLabelId(label.getId())
                .setDisplayName(label.getDisplayName())
                .setScore(score)
                .setRank(rank)
                .setGroup(label.getGroup())
                .build();
    }

    private List<ImageVerdict.FiredPolicy> evaluatePolicies(List<Tag> tags) {
        List<ImageVerdict.FiredPolicy> fired = new ArrayList<>();
        for (Policy policy : source.getPolicies()) {
            List<MatchedLabel> matched = new ArrayList<>();
            int satisfied = 0;
            for (String selector : policy.getLabels()) {
                boolean any = false;
                for (Tag tag : tags) {
                    boolean selected = tag.getLabelId().equals(selector)
                            || tag.getLabelId().startsWith(selector + ".");
                    if (selected && (policy.getMinScore() == null || tag.getScore() >= policy.getMinScore())) {
                        any = true;
                        if (matched.stream().noneMatch(m -> m.getLabelId().equals(tag.getLabelId()))) {
                            matched.add(MatchedLabel.newBuilder()
                                    .setLabelId(tag.getLabelId())
                                    .setScore(tag.getScore())
                                    .setThreshold(tagThresholds.get(tag.getLabelId()))
                                    .build());
                        }
                    }
                }
                if (any) {
                    satisfied++;
                }
            }
            boolean fires = policy.getMatch() == PolicyMatch.ANY
                    ? satisfied > 0
                    : satisfied == policy.getLabels().size();
            if (fires) {
                fired.add(new ImageVerdict.FiredPolicy(policy, List.copyOf(matched)));
            }
        }
        return fired;
    }
}
