package io.clipstream.labels;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import io.clipstream.image.RgbImage;
import io.clipstream.schema.LabelSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Calibration on the tiny demo model's synthetic images: thresholds chosen on one half of the samples reach the
 * requested precision on the other, held-out half. Also shows that the shipped tiny-shapes label set tags and flags
 * its own symbols.
 */
class TinyShapesCalibrationTest {

    private static final double TARGET = 0.9;

    @Test
    void thresholdsCalibratedOnOneHalfReachThePrecisionOnTheOther() throws Exception {
        ModelFolder folder = ModelFolder.open(Path.of("..", "models", "tiny-shapes"));
        LabelSet set = LabelSetCompiler.compileFor(
                folder, LabelSetParser.parse(Path.of("..", "label-sets", "tiny-shapes.yaml")));
        Path samples = Path.of(TinyShapesCalibrationTest.class
                .getResource("/tiny-shapes-calibration")
                .toURI());
        Map<String, float[][]> calibration = new TreeMap<>();
        Map<String, float[][]> heldOut = new TreeMap<>();
        try (ImageEncoder images = ImageEncoder.open(folder, InferenceOptions.defaults());
                Stream<Path> dirs = Files.list(samples)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                List<RgbImage> even = new ArrayList<>();
                List<RgbImage> odd = new ArrayList<>();
                List<Path> files;
                try (Stream<Path> listing = Files.list(dir)) {
                    files = listing.sorted().toList();
                }
                for (int i = 0; i < files.size(); i++) {
                    RgbImage pixels = images.preprocessor().preprocessPixels(Files.readAllBytes(files.get(i)));
                    (i % 2 == 0 ? even : odd).add(pixels);
                }
                calibration.put(dir.getFileName().toString(), images.embed(even));
                heldOut.put(dir.getFileName().toString(), images.embed(odd));
            }
        }
        Map<String, Float> thresholds = new HashMap<>();
        for (ThresholdCalibrator.Result r : ThresholdCalibrator.calibrate(set, calibration, TARGET)) {
            assertThat(r.threshold())
                    .as("%s reachable on the calibration half", r.labelId())
                    .isNotNull();
            thresholds.put(r.labelId(), r.threshold());
        }
        assertThat(thresholds)
                .containsOnlyKeys("signs.warning_sign", "signs.red_cross", "signs.skull", "signs.prohibited_sign");
        int truePositives = 0;
        int predicted = 0;
        for (ThresholdCalibrator.Result r : ThresholdCalibrator.measure(set, heldOut, thresholds)) {
            System.out.printf(
                    "calibrated %s: threshold %.4f -> held-out precision %.3f recall %.3f (%d positives,"
                            + " %d negatives)%n",
                    r.labelId(), r.threshold(), r.precision(), r.recall(), r.positives(), r.negatives());
            int tp = (int) Math.round(r.recall() * r.positives());
            truePositives += tp;
            predicted += r.precision() == 0 ? 0 : (int) Math.round(tp / r.precision());
            assertThat(r.recall()).as(r.labelId()).isGreaterThan(0);
        }
        double precision = (double) truePositives / predicted;
        System.out.printf("held-out precision over all sign labels: %.3f (target %.2f)%n", precision, TARGET);
        assertThat(precision).isGreaterThanOrEqualTo(TARGET);
    }
}
