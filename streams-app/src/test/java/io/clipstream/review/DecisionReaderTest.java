package io.clipstream.review;

import static io.clipstream.review.ReviewFixtures.START;
import static io.clipstream.review.ReviewFixtures.decision;
import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewVerdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionReaderTest {

    @Test
    void theTopicFoldsIntoStandingDecisionsLikeTheConsoleState() {
        List<ReviewDecision> standing = DecisionReader.standing(List.of(
                decision("e1", "p", ReviewVerdict.CONFIRMED, 0, "3", START, 0.3f),
                decision("e1", "p", ReviewVerdict.CONFIRMED, 0, "3", START, 0.3f),
                decision("e2", "p", ReviewVerdict.OVERTURNED, 0, "3", START, 0.2f),
                decision("e2", "p", ReviewVerdict.UNDONE, 1, "3", START, 0.2f),
                decision("e2", "p", ReviewVerdict.CONFIRMED, 2, "3", START, 0.2f)));
        assertThat(standing)
                .extracting(ReviewDecision::getEventId, ReviewDecision::getDecision, ReviewDecision::getRevision)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("e1", ReviewVerdict.CONFIRMED, 0),
                        org.assertj.core.groups.Tuple.tuple("e2", ReviewVerdict.CONFIRMED, 2));
    }
}
