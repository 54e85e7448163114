package io.clipstream.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LabelSetParserTest {

    private static final String VALID = """
            name: demo
            version: 3
            description: a small example
            model: tiny-shapes
            templates:
              - "a photo of a {}."
              - "a drawing of a {}."
            groups:
              - name: shape
                scoring: softmax
                top_k: 2
                min_probability: 0.2
              - name: signs
                scoring: threshold
                threshold: 0.25
            labels:
              - id: shape.circle
                group: shape
              - id: shape.red_square
                name: red square
                group: shape
                prompts: ["a red square", "a crimson square"]
              - id: signs.warning
                name: warning sign
                group: signs
                prompts: ["a warning sign"]
                counter_prompts: ["a yellow triangle"]
                threshold: 0.3
              - id: signs.skull
                group: signs
            policies:
              - id: hazard
                any: [signs]
                min_score: 0.28
                action: review
                severity: medium
              - id: both
                all: [signs.warning, shape.circle]
                action: block
                severity: critical
            """;

    @Test
    void aValidFileIsResolved() throws LabelSetValidationException {
        LabelSetDefinition d = LabelSetParser.parse("demo.yaml", VALID);
        assertThat(d.name()).isEqualTo("demo");
        assertThat(d.version()).isEqualTo("3");
        assertThat(d.groups())
                .containsExactly(
                        new LabelSetDefinition.Group("shape", GroupScoring.SOFTMAX, null, 2, 0.2f, 100f),
                        new LabelSetDefinition.Group("signs", GroupScoring.THRESHOLD, 0.25f, 1, 0f, 100f));
        assertThat(d.labels()).hasSize(4);
        LabelSetDefinition.Label circle = d.labels().get(0);
        assertThat(circle.displayName()).isEqualTo("circle");
        assertThat(circle.prompts()).containsExactly("a photo of a circle.", "a drawing of a circle.");
        assertThat(circle.threshold()).isNull();
        assertThat(circle.line()).isEqualTo(17);
        assertThat(d.labels().get(1).prompts()).containsExactly("a red square", "a crimson square");
        assertThat(d.labels().get(2).threshold()).isEqualTo(0.3f);
        assertThat(d.labels().get(2).counterPrompts()).containsExactly("a yellow triangle");
        assertThat(d.labels().get(3).threshold()).isEqualTo(0.25f);
        assertThat(d.labels().get(3).displayName()).isEqualTo("skull");
        assertThat(d.policies())
                .containsExactly(
                        new LabelSetDefinition.Policy(
                                "hazard",
                                PolicyMatch.ANY,
                                List.of("signs"),
                                0.28f,
                                PolicyAction.REVIEW,
                                Severity.MEDIUM),
                        new LabelSetDefinition.Policy(
                                "both",
                                PolicyMatch.ALL,
                                List.of("signs.warning", "shape.circle"),
                                null,
                                PolicyAction.BLOCK,
                                Severity.CRITICAL));
    }

    static List<Arguments> malformed() {
        return List.of(
                Arguments.of(
                        "threshold out of range",
                        VALID.replace("threshold: 0.3", "threshold: 1.5"),
                        List.of("bad.yaml:28: labels[2].threshold: must be between -1 and 1")),
                Arguments.of(
                        "unknown key",
                        VALID.replace("    threshold: 0.3", "    treshold: 0.3"),
                        List.of("bad.yaml:28: labels[2].treshold: unknown key")),
                Arguments.of(
                        "missing name",
                        VALID.replace("name: demo\n", ""),
                        List.of("bad.yaml:1: missing required key 'name'")),
                Arguments.of(
                        "templates not a list",
                        VALID.replace(
                                "templates:\n  - \"a photo of a {}.\"\n" + "  - \"a drawing of a {}.\"",
                                "templates: \"a photo of a {}.\""),
                        List.of("bad.yaml:5: templates: must be a list")),
                Arguments.of(
                        "scoring enum",
                        VALID.replace("scoring: softmax", "scoring: argmax"),
                        List.of("bad.yaml:10: groups[0].scoring: must be one of softmax, threshold")),
                Arguments.of(
                        "action enum",
                        VALID.replace("action: review", "action: delete"),
                        List.of("bad.yaml:35: policies[0].action: must be one of allow, review, block")),
                Arguments.of(
                        "duplicate label id",
                        VALID.replace("id: signs.skull", "id: signs.warning"),
                        List.of("bad.yaml:29: labels[3].id: duplicate id 'signs.warning' (first at line 23)")),
                Arguments.of(
                        "unknown group",
                        VALID.replace(
                                "  - id: signs.skull\n    group: signs", "  - id: signs.skull\n    group: symbols"),
                        List.of("bad.yaml:30: labels[3].group: no group named 'symbols'")),
                Arguments.of(
                        "unknown policy label",
                        VALID.replace("all: [signs.warning, shape.circle]", "all: [signs.warning, shape.oval]"),
                        List.of("bad.yaml:38: policies[1].all[1]: no label or label prefix 'shape.oval'")),
                Arguments.of(
                        "template without {}",
                        VALID.replace("a drawing of a {}.", "a drawing"),
                        List.of("bad.yaml:7: templates[1]: must contain {} exactly once")),
                Arguments.of(
                        "bad id",
                        VALID.replace("id: shape.circle", "id: Shape..Circle"),
                        List.of("bad.yaml:17: labels[0].id: must be lower-case words (a-z, 0-9, _) separated by"
                                + " dots")),
                Arguments.of(
                        "no prompts and no templates",
                        VALID.replace("templates:\n  - \"a photo of a {}.\"\n" + "  - \"a drawing of a {}.\"\n", ""),
                        List.of(
                                "bad.yaml:14: labels[0]: has no prompts and the set has no templates",
                                "bad.yaml:26: labels[3]: has no prompts and the set has no templates")),
                Arguments.of(
                        "any and all",
                        VALID.replace("    any: [signs]\n", "    any: [signs]\n" + "    all: [signs]\n"),
                        List.of("bad.yaml:32: policies[0]: must have exactly one of any, all")),
                Arguments.of(
                        "empty labels",
                        VALID.substring(0, VALID.indexOf("labels:")) + "labels: []\n",
                        List.of("bad.yaml:16: labels: must not be empty")),
                Arguments.of(
                        "threshold in a softmax group",
                        VALID.replace(
                                "    group: shape\n    prompts", "    group: shape\n    threshold: 0.2\n    prompts"),
                        List.of("bad.yaml:22: labels[1].threshold: group 'shape' scores by softmax; thresholds"
                                + " apply to threshold groups")),
                Arguments.of(
                        "invalid YAML",
                        "name: demo\nlabels: [a, b\nversion: 1\n",
                        List.of("bad.yaml:3: invalid YAML: expected ',' or ']', but got :")),
                Arguments.of(
                        "duplicate key",
                        "name: demo\nname: other\n",
                        List.of("bad.yaml:2: name: duplicate key (first at line 1)")),
                Arguments.of(
                        "wrong type of version",
                        VALID.replace("version: 3", "version: [3]"),
                        List.of("bad.yaml:2: version: must be a string or an integer")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFilesNameFileLineAndField(String what, String yaml, List<String> expected) {
        assertThatThrownBy(() -> LabelSetParser.parse("bad.yaml", yaml))
                .isInstanceOfSatisfying(LabelSetValidationException.class, e -> assertThat(e.errors())
                        .containsExactlyElementsOf(expected));
    }

    @Test
    void problemsCarryTheirLineAndPathAsFields() {
        assertThatThrownBy(() -> LabelSetParser.parse(
                        "bad.yaml",
                        VALID.replace("id: signs.skull", "id: signs.warning")
                                .replace("all: [signs.warning, shape.circle]", "all: [signs.warning, shape.oval]")))
                .isInstanceOfSatisfying(LabelSetValidationException.class, e -> assertThat(e.problems())
                        .containsExactly(
                                new LabelSetProblem(
                                        "bad.yaml",
                                        29,
                                        "labels[3].id",
                                        "duplicate id 'signs.warning' (first at line 23)"),
                                new LabelSetProblem(
                                        "bad.yaml",
                                        38,
                                        "policies[1].all[1]",
                                        "no label or label prefix 'shape.oval'")));
    }

    @Test
    void anEmptyFileIsAnError() {
        assertThatThrownBy(() -> LabelSetParser.parse("empty.yaml", "")).hasMessage("empty.yaml:1: the file is empty");
    }
}
