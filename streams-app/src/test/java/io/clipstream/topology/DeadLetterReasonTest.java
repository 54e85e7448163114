package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clipstream.image.FetchRejectionReason;
import io.clipstream.image.RejectionReason;
import io.clipstream.registry.WireFormatException;
import io.clipstream.topology.DeadLetterRecords.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DeadLetterReasonTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z_]+)` \\| ([^|]+) \\|");

    @Test
    void theReadmeListsEveryCodeWithItsStagesInEnumOrder() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("..", "README.md"));
        int start = readme.indexOf("### Dead-letter reasons");
        assertThat(start).as("README section 'Dead-letter reasons'").isPositive();
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : readme.subList(start + 1, readme.size())) {
            if (line.startsWith("#")) {
                break;
            }
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                listed.put(row.group(1), row.group(2).strip());
            }
        }
        Map<String, String> expected = new LinkedHashMap<>();
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            List<String> stages = new ArrayList<>();
            reason.stages().forEach(s -> stages.add("`" + s.id() + "`"));
            expected.put(reason.code(), String.join(", ", stages));
        }
        assertThat(listed).containsExactlyEntriesOf(expected);
    }

    @Test
    void everyDecoderFetchAndWireFormatReasonIsADeadLetterReasonOfItsStage() {
        for (RejectionReason r : RejectionReason.values()) {
            assertThat(DeadLetterReason.of(r).code()).isEqualTo(r.code());
            assertThat(DeadLetterReason.of(r).stage()).isEqualTo(Stage.PREPROCESS);
        }
        for (FetchRejectionReason r : FetchRejectionReason.values()) {
            assertThat(DeadLetterReason.of(r).code()).isEqualTo(r.code());
            assertThat(DeadLetterReason.of(r).stage()).isEqualTo(Stage.FETCH);
        }
        for (WireFormatException.Reason r : WireFormatException.Reason.values()) {
            assertThat(DeadLetterReason.of(r).code()).isEqualTo(r.code());
            assertThat(DeadLetterReason.of(r).stage()).isEqualTo(Stage.VALIDATE);
        }
        assertThat(Arrays.stream(DeadLetterReason.values()).map(DeadLetterReason::stage))
                .as("every stage has a reason")
                .containsAll(List.of(Stage.values()));
    }

    @Test
    void aDeadLetterRefusesAStageItsReasonDoesNotHappenAt() {
        DeadLetter.Source source = new DeadLetter.Source(null, null, 0, "images", 0, 0);
        assertThatThrownBy(() -> new DeadLetter(source, Stage.SCORE, DeadLetterReason.NULL_VALUE, "x", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NULL_VALUE");
        assertThat(new DeadLetter(source, Stage.EMBED, DeadLetterReason.RESOURCE_EXHAUSTED, "oom", null).stage())
                .isEqualTo(Stage.EMBED);
    }
}
