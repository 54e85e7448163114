package io.clipstream.review;

import static io.clipstream.review.ReviewFixtures.START;
import static io.clipstream.review.ReviewFixtures.decision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.clipstream.schema.ReviewVerdict;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrecisionTest {

    @Test
    void eightOfTenHasTheWilsonIntervalWorkedByHand() {
        // p = 0.8, z^2 = 3.841459, denominator 1 + z^2/n = 1.384146, centre (0.8 + 0.192073) / 1.384146 = 0.716738,
        // half-width z * sqrt(0.016 + 0.009604) / 1.384146 = 0.226578 (0.490162 .. 0.943318)
        Precision p = new Precision(8, 2);
        assertThat(p.value()).isEqualTo(0.8);
        assertThat(p.low()).isCloseTo(0.490162, within(1e-6));
        assertThat(p.high()).isCloseTo(0.943318, within(1e-6));
    }

    @Test
    void allConfirmedStillHasAnIntervalBelowOne() {
        Precision p = new Precision(3, 0);
        assertThat(p.value()).isEqualTo(1.0);
        // centre (1 + 0.640243) / 2.280486 = 0.719254, half-width 1.959964 * sqrt(0.106707) / 2.280486 = 0.280746
        assertThat(p.low()).isCloseTo(0.438503, within(1e-6));
        assertThat(p.high()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void nothingDecidedIsNaNWithTheWholeInterval() {
        Precision p = new Precision(0, 0);
        assertThat(p.value()).isNaN();
        assertThat(p.low()).isZero();
        assertThat(p.high()).isEqualTo(1.0);
    }

    @Test
    void theReportCountsStandingDecisionsPerPolicyAndVersionAndDay() {
        List<QualityReport.Row> rows = QualityReport.of(List.of(
                decision("e1", "p", ReviewVerdict.CONFIRMED, 0, "3", START, 0.3f),
                decision("e2", "p", ReviewVerdict.OVERTURNED, 0, "3", START, 0.3f),
                decision("e3", "p", ReviewVerdict.CONFIRMED, 0, "3", START.plus(Duration.ofDays(1)), 0.3f),
                decision("e4", "p", ReviewVerdict.ESCALATED, 0, "3", START, 0.3f),
                decision("e5", "p", ReviewVerdict.UNDONE, 1, "3", START, 0.3f),
                decision("e6", "p", ReviewVerdict.CONFIRMED, 0, "4", START, 0.3f)));
        assertThat(rows).extracting(QualityReport.Row::labelSetVersion).containsExactly("3", "4");
        QualityReport.Row v3 = rows.get(0);
        assertThat(v3.reviewed()).isEqualTo(4);
        assertThat(v3.escalated()).isEqualTo(1);
        assertThat(v3.precision()).isEqualTo(new Precision(2, 1));
        assertThat(v3.days())
                .extracting(QualityReport.Day::date)
                .containsExactly(LocalDate.of(2026, 12, 1), LocalDate.of(2026, 12, 2));
        assertThat(v3.days().get(0).thatDay()).isEqualTo(new Precision(1, 1));
        assertThat(v3.days().get(1).cumulative()).isEqualTo(new Precision(2, 1));
    }
}
