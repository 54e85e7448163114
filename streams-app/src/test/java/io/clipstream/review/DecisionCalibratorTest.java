package io.clipstream.review;

import static io.clipstream.review.ReviewFixtures.START;
import static io.clipstream.review.ReviewFixtures.decision;
import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.schema.ReviewVerdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionCalibratorTest {

    private static final List<io.clipstream.schema.ReviewDecision> DECISIONS = List.of(
            decision("e1", "p", ReviewVerdict.CONFIRMED, 0, "3", START, 0.30f),
            decision("e2", "p", ReviewVerdict.OVERTURNED, 0, "3", START, 0.28f),
            decision("e3", "p", ReviewVerdict.CONFIRMED, 0, "3", START, 0.27f),
            decision("e4", "p", ReviewVerdict.OVERTURNED, 0, "3", START, 0.25f),
            decision("e5", "p", ReviewVerdict.OVERTURNED, 0, "3", START, 0.24f),
            decision("e6", "p", ReviewVerdict.ESCALATED, 0, "3", START, 0.10f),
            decision("e7", "p", ReviewVerdict.UNDONE, 1, "3", START, 0.10f));

    @Test
    void theLowestCutReachingTheTargetWinsWorkedByHand() {
        // from the top: 0.30 C 1/1, 0.28 O 1/2, 0.27 C 2/3, 0.25 O 2/4, 0.24 O 2/5; at 0.6 the lowest cut is 0.27
        DecisionCalibrator.Suggestion s =
                DecisionCalibrator.calibrate(DECISIONS, 0.6).get(0);
        assertThat(s.labelId()).isEqualTo("nsfw.x");
        assertThat(s.threshold()).isEqualTo(0.27f);
        assertThat(s.precision()).isEqualTo(2.0 / 3);
        assertThat(s.support()).isEqualTo(3);
        assertThat(s.confirmed()).isEqualTo(2);
        assertThat(s.samples())
                .as("escalated and undone decisions are no samples")
                .isEqualTo(5);
    }

    @Test
    void aStricterTargetRaisesTheThreshold() {
        DecisionCalibrator.Suggestion s =
                DecisionCalibrator.calibrate(DECISIONS, 0.9).get(0);
        assertThat(s.threshold()).isEqualTo(0.30f);
        assertThat(s.support()).isEqualTo(1);
    }

    @Test
    void anUnreachableTargetSuggestsNothing() {
        DecisionCalibrator.Suggestion s = DecisionCalibrator.calibrate(
                        List.of(decision("e2", "p", ReviewVerdict.OVERTURNED, 0, "3", START, 0.28f)), 0.5)
                .get(0);
        assertThat(s.threshold()).isNull();
        assertThat(s.samples()).isEqualTo(1);
    }
}
