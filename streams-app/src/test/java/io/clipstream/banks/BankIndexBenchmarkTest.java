package io.clipstream.banks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLIP part of {@code banks bench} on a small exact bank: it measures every query asked, of both kinds. */
class BankIndexBenchmarkTest {

    @Test
    void clipUsesEveryQueryAskedForBothKindsAndSaysHowMany() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Map<String, Object> figures = new BankIndexBenchmark(List.of(), 300, 16, List.of(2_000))
                .run(new PrintStream(log, true, StandardCharsets.UTF_8));

        @SuppressWarnings("unchecked")
        Map<String, Object> clip = (Map<String, Object>) figures.get("clip-2000");
        assertThat(clip)
                .containsEntry("items", 2_000)
                .containsEntry("search", "exact")
                .containsEntry("queries", 300)
                .containsEntry("randomQueries", 300)
                // below the exact limit the search is the exact scan, so both kinds agree with it every time
                .containsEntry("recallAt1", 1.0)
                .containsEntry("randomRecallAt1", 1.0);
        String printed = log.toString(StandardCharsets.UTF_8);
        assertThat(printed)
                .contains("planted near-duplicates: 300 queries")
                .contains("recall@1 vs exact 1.000 (300 of 300)")
                .contains("random queries, no planted neighbour: 300 queries");
    }
}
