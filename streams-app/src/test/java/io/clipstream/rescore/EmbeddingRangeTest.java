package io.clipstream.rescore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddingRangeTest {

    @Test
    void sinceTakesShortFormsAndIsoDurations() {
        assertThat(EmbeddingRange.parseSince("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(EmbeddingRange.parseSince("90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(EmbeddingRange.parseSince("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(EmbeddingRange.parseSince("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(EmbeddingRange.parseSince("PT6H")).isEqualTo(Duration.ofHours(6));
        assertThatThrownBy(() -> EmbeddingRange.parseSince("yesterday"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--since yesterday: expected a duration such as 24h, 90m," + " 7d or PT6H");
    }

    @Test
    void offsetsArePartitionColonOffsetPairs() {
        assertThat(EmbeddingRange.parseOffsets("0:120, 1:97")).isEqualTo(Map.of(0, 120L, 1, 97L));
        assertThatThrownBy(() -> EmbeddingRange.parseOffsets("0:120,1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--from-offsets: '1' is not PARTITION:OFFSET");
    }

    @Test
    void theSizeCountsWhatLiesBetweenStartAndEnd() {
        EmbeddingRange range = new EmbeddingRange("t", Map.of(0, 10L, 1, 5L), Map.of(0, 25L, 1, 5L, 2, 7L));
        assertThat(range.size()).isEqualTo(15);
    }
}
