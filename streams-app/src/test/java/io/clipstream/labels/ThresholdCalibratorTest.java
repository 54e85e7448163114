package io.clipstream.labels;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.schema.LabelSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThresholdCalibratorTest {

    private static float[] unit(double angleDegrees) {
        double a = Math.toRadians(angleDegrees);
        return new float[] {(float) Math.cos(a), (float) Math.sin(a)};
    }

    @Test
    void choosesTheLowestThresholdReachingThePrecisionAndReportsRecall() {
        LabelSet set = LabelSetFixtures.paperSet("1", "sha256:x");
        // signs.skull points at (0.8, -0.6), angle -36.87°; positives at angles -36.87±{0,10,20,60} degrees
        float[][] skull = {unit(-36.87), unit(-26.87), unit(-56.87), unit(23.13)};
        // negatives near the skull too: one at -36.87+15 (cos 0.9659), one far away
        float[][] negative = {unit(-21.87), unit(90)};
        List<ThresholdCalibrator.Result> results =
                ThresholdCalibrator.calibrate(set, Map.of("signs.skull", skull, "negative", negative), 1.0);
        assertThat(results).hasSize(1);
        ThresholdCalibrator.Result r = results.get(0);
        assertThat(r.labelId()).isEqualTo("signs.skull");
        // a threshold above cos(15°) = 0.96593 keeps precision 1: the positive at 10° (cos 0.98481) is the lowest
        assertThat(r.threshold())
                .isEqualTo((float) Math.cos(Math.toRadians(10.0)), org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(r.precision()).isEqualTo(1.0);
        assertThat(r.recall()).isEqualTo(0.5);
        assertThat(r.positives()).isEqualTo(4);
        assertThat(r.negatives()).isEqualTo(2);

        ThresholdCalibrator.Result relaxed = ThresholdCalibrator.calibrate(
                        set, Map.of("signs.skull", skull, "negative", negative), 0.75)
                .get(0);
        // at cos(60°) = 0.5 every positive and the near negative pass: precision 4/5 = 0.8 ≥ 0.75, recall 1
        assertThat(relaxed.threshold()).isEqualTo(0.5f, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(relaxed.precision()).isEqualTo(0.8);
        assertThat(relaxed.recall()).isEqualTo(1.0);
    }

    @Test
    void softmaxLabelsAndLabelsWithoutSamplesAreSkipped() {
        LabelSet set = LabelSetFixtures.paperSet("1", "sha256:x");
        assertThat(ThresholdCalibrator.calibrate(set, Map.of("shape.circle", new float[][] {unit(0)}), 0.9))
                .isEmpty();
    }

    @Test
    void anUnreachablePrecisionGivesNoThreshold() {
        LabelSet set = LabelSetFixtures.paperSet("1", "sha256:x");
        ThresholdCalibrator.Result r = ThresholdCalibrator.calibrate(
                        set,
                        Map.of("signs.skull", new float[][] {unit(-30)}, "negative", new float[][] {unit(-36.87)}),
                        0.9)
                .get(0);
        assertThat(r.threshold()).isNull();
    }
}
