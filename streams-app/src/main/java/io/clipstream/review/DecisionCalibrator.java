package io.clipstream.review;

import io.clipstream.schema.MatchedLabel;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewVerdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Thresholds from reviewed decisions: each confirmed or overturned flag is a labelled sample of each label it
 * matched (its score; positive when confirmed). A label's threshold is the lowest score at which the samples at or
 * above it reach the target precision, so it keeps as many confirmed flags as it can.
 *
 * <p>The samples are flags, so every score already cleared the threshold the flag was raised with: decisions can
 * raise a threshold, or confirm it, but never show that a lower one would do.
 */
public final class DecisionCalibrator {

    /**
     * One label's suggestion.
     *
     * @param threshold the lowest sample score reaching the target precision; null when none does
     * @param precision the precision of the samples at or above the threshold
     * @param support samples at or above the threshold (the decisions the threshold rests on)
     * @param confirmed confirmed samples at or above the threshold
     * @param samples every decided sample of the label
     */
    public record Suggestion(
            String labelId, Float threshold, double precision, int support, int confirmed, int samples) {}

    private record Sample(float score, boolean positive) {}

    private DecisionCalibrator() {}

    /** One suggestion per label that any decided flag matched, sorted by label id. */
    public static List<Suggestion> calibrate(Iterable<ReviewDecision> standing, double targetPrecision) {
        Map<String, List<Sample>> byLabel = new TreeMap<>();
        for (ReviewDecision d : standing) {
            if (d.getDecision() != ReviewVerdict.CONFIRMED && d.getDecision() != ReviewVerdict.OVERTURNED) {
                continue;
            }
            for (MatchedLabel m : d.getMatched()) {
                byLabel.computeIfAbsent(m.getLabelId(), k -> new ArrayList<>())
                        .add(new Sample(m.getScore(), d.getDecision() == ReviewVerdict.CONFIRMED));
            }
        }
        List<Suggestion> out = new ArrayList<>();
        byLabel.forEach((label, samples) -> out.add(suggest(label, samples, targetPrecision)));
        return out;
    }

    private static Suggestion suggest(String label, List<Sample> samples, double target) {
        List<Sample> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparingDouble(Sample::score).reversed());
        // walk from the highest score down; the last cut (lowest score) still at the target wins
        int above = 0;
        int positives = 0;
        Suggestion best = new Suggestion(label, null, Double.NaN, 0, 0, samples.size());
        for (int i = 0; i < sorted.size(); i++) {
            above++;
            positives += sorted.get(i).positive() ? 1 : 0;
            boolean lastOfScore = i + 1 == sorted.size()
                    || sorted.get(i + 1).score() < sorted.get(i).score();
            double precision = (double) positives / above;
            if (lastOfScore && precision >= target) {
                best = new Suggestion(label, sorted.get(i).score(), precision, above, positives, samples.size());
            }
        }
        return best;
    }
}
