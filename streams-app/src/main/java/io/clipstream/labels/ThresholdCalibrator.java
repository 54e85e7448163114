package io.clipstream.labels;

import io.clipstream.clip.Embeddings;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses a cosine threshold per label that reaches a target precision on labelled sample images, with the highest
 * recall that precision allows. A label's positives are its own samples; its negatives are the negative samples and
 * every other label's positives. A sample counts as tagged only when it clears the threshold and beats the
 * label's counter prompts, as in scoring. Softmax-group labels have no cosine threshold and are skipped.
 */
public final class ThresholdCalibrator {

    /**
     * One label's calibration.
     *
     * @param labelId the label
     * @param threshold the chosen threshold, or null when the target precision cannot be reached
     * @param precision precision at that threshold on the samples
     * @param recall recall at that threshold on the samples
     * @param positives number of positive samples
     * @param negatives number of negative samples
     */
    public record Result(
            String labelId, Float threshold, double precision, double recall, int positives, int negatives) {}

    private ThresholdCalibrator() {}

    /**
     * Calibrates every threshold-group label that has positives.
     *
     * @param set the compiled set
     * @param samples label id → embeddings of its positive images; the key {@code negative} holds negatives
     * @param targetPrecision for example 0.95
     */
    public static List<Result> calibrate(LabelSet set, Map<String, float[][]> samples, double targetPrecision) {
        Map<String, GroupScoring> scoring = new HashMap<>();
        for (LabelGroup group : set.getGroups()) {
            scoring.put(group.getName(), group.getScoring());
        }
        List<Result> results = new ArrayList<>();
        for (CompiledLabel label : set.getLabels()) {
            float[][] positives = samples.get(label.getId());
            if (scoring.get(label.getGroup()) != GroupScoring.THRESHOLD || positives == null || positives.length == 0) {
                continue;
            }
            results.add(calibrateOne(label, positives, negativesFor(label, samples), targetPrecision));
        }
        return results;
    }

    /**
     * Precision and recall of given thresholds on labelled samples (for instance held-out ones), with the same
     * positives and negatives as {@link #calibrate}.
     */
    public static List<Result> measure(LabelSet set, Map<String, float[][]> samples, Map<String, Float> thresholds) {
        List<Result> results = new ArrayList<>();
        for (CompiledLabel label : set.getLabels()) {
            Float t = thresholds.get(label.getId());
            float[][] positives = samples.get(label.getId());
            if (t == null || positives == null) {
                continue;
            }
            float[][] scores = scores(label, positives, negativesFor(label, samples));
            int tp = count(scores[0], t);
            int fp = count(scores[1], t);
            results.add(new Result(
                    label.getId(),
                    t,
                    tp + fp == 0 ? 1.0 : (double) tp / (tp + fp),
                    (double) tp / scores[0].length,
                    scores[0].length,
                    scores[1].length));
        }
        return results;
    }

    private static List<float[]> negativesFor(CompiledLabel label, Map<String, float[][]> samples) {
        List<float[]> negatives = new ArrayList<>();
        samples.forEach((key, embeddings) -> {
            if (!key.equals(label.getId())) {
                negatives.addAll(Arrays.asList(embeddings));
            }
        });
        return negatives;
    }

    /** Effective scores of the positives ([0]) and negatives ([1]). */
    private static float[][] scores(CompiledLabel label, float[][] positives, List<float[]> negatives) {
        float[] embedding = toArray(label.getEmbedding());
        List<float[]> counters = label.getCounterEmbeddings().stream()
                .map(ThresholdCalibrator::toArray)
                .toList();
        float[] pos = new float[positives.length];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = effectiveScore(positives[i], embedding, counters);
        }
        float[] neg = new float[negatives.size()];
        for (int i = 0; i < neg.length; i++) {
            neg[i] = effectiveScore(negatives.get(i), embedding, counters);
        }
        return new float[][] {pos, neg};
    }

    private static Result calibrateOne(
            CompiledLabel label, float[][] positives, List<float[]> negatives, double target) {
        float[][] scores = scores(label, positives, negatives);
        float[] pos = scores[0];
        float[] neg = scores[1];
        float[] candidates = pos.clone();
        Arrays.sort(candidates);
        for (float t : candidates) {
            if (t == Float.NEGATIVE_INFINITY) {
                continue;
            }
            int tp = count(pos, t);
            int fp = count(neg, t);
            double precision = (double) tp / (tp + fp);
            if (precision >= target) {
                return new Result(label.getId(), t, precision, (double) tp / pos.length, pos.length, neg.length);
            }
        }
        return new Result(label.getId(), null, 0, 0, pos.length, neg.length);
    }

    /** The cosine, or minus infinity when a counter prompt scores at least as high (the label cannot be tagged). */
    private static float effectiveScore(float[] image, float[] label, List<float[]> counters) {
        float cosine = Embeddings.dot(image, label);
        for (float[] counter : counters) {
            if (Embeddings.dot(image, counter) >= cosine) {
                return Float.NEGATIVE_INFINITY;
            }
        }
        return cosine;
    }

    private static int count(float[] scores, float threshold) {
        int n = 0;
        for (float s : scores) {
            if (s >= threshold) {
                n++;
            }
        }
        return n;
    }

    private static float[] toArray(List<Float> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return v;
    }
}
