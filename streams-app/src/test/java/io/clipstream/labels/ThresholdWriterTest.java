package io.clipstream.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThresholdWriterTest {

    @Test
    void replacesExistingThresholdsAndInsertsMissingOnesKeepingComments() {
        String yaml = """
                labels:
                  # the warning sign
                  - id: signs.warning
                    group: signs
                    threshold: 0.3   # hand-set
                  - id: signs.skull
                    group: signs
                """;
        Map<String, Float> thresholds = new LinkedHashMap<>();
        thresholds.put("signs.warning", 0.27f);
        thresholds.put("signs.skull", 0.3125f);
        assertThat(ThresholdWriter.write(yaml, thresholds)).isEqualTo("""
                labels:
                  # the warning sign
                  - id: signs.warning
                    group: signs
                    threshold: 0.2700   # hand-set
                  - id: signs.skull
                    threshold: 0.3125
                    group: signs
                """);
    }

    @Test
    void flowStyleLabelsAreRefused() {
        assertThatThrownBy(() -> ThresholdWriter.write("labels:\n  - {id: a.b, group: g}\n", Map.of("a.b", 0.2f)))
                .hasMessage("label a.b is not written in block style (id: on its own line); set its threshold by"
                        + " hand");
    }
}
