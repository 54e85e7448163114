package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.labels.LabelSetFiles;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code labels diff} on hand-made pairs, YAML and compiled, with the exact output asserted. */
class LabelsDiffCommandTest {

    private static final String OLD = """
            name: safety
            version: 3
            model: tiny-vit
            groups:
              - name: weapons
                scoring: threshold
                threshold: 0.25
              - name: scene
                scoring: softmax
            labels:
              - id: weapons.firearm
                group: weapons
                prompts: ["a photo of a gun"]
              - id: weapons.knife
                group: weapons
                prompts: ["a photo of a knife"]
                threshold: 0.3
              - id: scene.indoor
                group: scene
                prompts: ["indoors"]
              - id: scene.outdoor
                group: scene
                prompts: ["outdoors"]
            policies:
              - id: review-weapons
                any: [weapons]
                action: review
                severity: medium
              - id: block-knives
                any: [weapons.knife]
                action: block
                severity: high
            """;

    private static final String NEW = """
            name: safety
            version: 4
            model: tiny-vit
            applies_to:
              sources: [uploads, avatars]
              attributes: {surface: kids}
            groups:
              - name: weapons
                scoring: threshold
                threshold: 0.25
              - name: scene
                scoring: softmax
                top_k: 2
            labels:
              - id: weapons.firearm
                group: weapons
                prompts: ["a photo of a gun", "a photo of a rifle"]
              - id: weapons.knife
                group: weapons
                prompts: ["a photo of a knife"]
                threshold: 0.27
              - id: weapons.sword
                group: weapons
                prompts: ["a photo of a sword"]
              - id: scene.indoor
                group: scene
                prompts: ["indoors"]
            policies:
              - id: review-weapons
                all: [weapons]
                action: block
                severity: medium
            """;

    @TempDir
    Path dir;

    @Test
    void everyAddedRemovedAndChangedEntryIsOneLinePerField() throws IOException {
        Path before = Files.writeString(dir.resolve("old.yaml"), OLD);
        Path after = Files.writeString(dir.resolve("new.yaml"), NEW);
        CliRun r = CliRun.of("labels", "diff", before.toString(), after.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                label set safety: version 3 -> 4
                KIND    ID               CHANGE   FIELD            BEFORE              AFTER
                set     safety           changed  version          3                   4
                set     safety           changed  applies_to       all events          \
                sources=[uploads, avatars] attributes={surface=kids}
                group   scene            changed  top_k            1                   2
                label   weapons.firearm  changed  prompts          [a photo of a gun]  \
                [a photo of a gun, a photo of a rifle]
                label   weapons.knife    changed  threshold        0.3                 0.27
                label   weapons.sword    added    name                                 sword
                label   weapons.sword    added    group                                weapons
                label   weapons.sword    added    threshold                            0.25
                label   weapons.sword    added    prompts                              [a photo of a sword]
                label   weapons.sword    added    counter_prompts                      0
                label   scene.outdoor    removed
                policy  review-weapons   changed  match            any                 all
                policy  review-weapons   changed  action           review              block
                policy  block-knives     removed
                8 changes
                """);
    }

    @Test
    void theJsonFormNamesEachFieldWithItsOldAndNewValue() throws IOException {
        Path before = Files.writeString(dir.resolve("old.yaml"), OLD);
        Path after = Files.writeString(
                dir.resolve("new.yaml"),
                NEW.replace("threshold: 0.27", "threshold: 0.3").replace("top_k: 2", "top_k: 1"));
        CliRun r = CliRun.of("labels", "diff", "--json", before.toString(), after.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip())
                .isEqualTo("{\"name\":\"safety\",\"before\":\"3\",\"after\":\"4\",\"changes\":["
                        + "{\"kind\":\"set\",\"id\":\"safety\",\"change\":\"changed\",\"fields\":["
                        + "{\"field\":\"version\",\"before\":\"3\",\"after\":\"4\"},"
                        + "{\"field\":\"applies_to\",\"before\":\"all events\","
                        + "\"after\":\"sources=[uploads, avatars] attributes={surface=kids}\"}]},"
                        + "{\"kind\":\"label\",\"id\":\"weapons.firearm\",\"change\":\"changed\",\"fields\":["
                        + "{\"field\":\"prompts\",\"before\":\"[a photo of a gun]\","
                        + "\"after\":\"[a photo of a gun, a photo of a rifle]\"}]},"
                        + "{\"kind\":\"label\",\"id\":\"weapons.sword\",\"change\":\"added\",\"fields\":["
                        + "{\"field\":\"name\",\"before\":\"\",\"after\":\"sword\"},"
                        + "{\"field\":\"group\",\"before\":\"\",\"after\":\"weapons\"},"
                        + "{\"field\":\"threshold\",\"before\":\"\",\"after\":\"0.25\"},"
                        + "{\"field\":\"prompts\",\"before\":\"\",\"after\":\"[a photo of a sword]\"},"
                        + "{\"field\":\"counter_prompts\",\"before\":\"\",\"after\":\"0\"}]},"
                        + "{\"kind\":\"label\",\"id\":\"scene.outdoor\",\"change\":\"removed\",\"fields\":[]},"
                        + "{\"kind\":\"policy\",\"id\":\"review-weapons\",\"change\":\"changed\",\"fields\":["
                        + "{\"field\":\"match\",\"before\":\"any\",\"after\":\"all\"},"
                        + "{\"field\":\"action\",\"before\":\"review\",\"after\":\"block\"}]},"
                        + "{\"kind\":\"policy\",\"id\":\"block-knives\",\"change\":\"removed\",\"fields\":[]}]}");
    }

    @Test
    void impactSaysWhenAYamlSetNeedsATextModelTheFolderLacks() throws IOException {
        Path yaml = Files.writeString(dir.resolve("new.yaml"), NEW);
        Path imageOnly = io.clipstream.clip.TestModels.copy("tiny-vit-openclip", dir.resolve("model"));
        CliRun r = CliRun.of(
                "labels",
                "impact",
                "--labels",
                yaml.toString(),
                "--model",
                imageOnly.toString(),
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--schema-registry",
                "mock://impact-test");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains(yaml + " is YAML and must be compiled, but the model folder " + imageOnly
                        + " has no tokenizer for its text model");
        Files.delete(
                io.clipstream.clip.ModelFolder.open(imageOnly).textualModel().orElseThrow());
        r = CliRun.of(
                "labels",
                "impact",
                "--labels",
                yaml.toString(),
                "--model",
                imageOnly.toString(),
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--schema-registry",
                "mock://impact-test");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains(yaml + " is YAML and must be compiled, but the model folder " + imageOnly
                        + " has no text model (only the image tower)");
        r = CliRun.of(
                "labels",
                "impact",
                "--labels",
                yaml.toString(),
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--schema-registry",
                "mock://impact-test");
        assertThat(r.err()).contains(yaml + " is YAML and must be compiled with a text model: give --model DIR");
    }

    /** The compiled form of OLD, by hand (no text model needed). */
    private static LabelSet compiledOld(String version, float knife, String mode) {
        List<Float> e = List.of(1f, 0f);
        return LabelSet.newBuilder()
                .setName("safety")
                .setVersion(version)
                .setModelId("tiny-vit")
                .setModelFingerprint("sha256:x")
                .setDimension(2)
                .setGroups(List.of(
                        LabelGroup.newBuilder()
                                .setName("weapons")
                                .setScoring(GroupScoring.THRESHOLD)
                                .build(),
                        LabelGroup.newBuilder()
                                .setName("scene")
                                .setScoring(GroupScoring.SOFTMAX)
                                .build()))
                .setLabels(List.of(
                        label("weapons.firearm", "firearm", "weapons", 0.25f, "a photo of a gun", e),
                        label("weapons.knife", "knife", "weapons", knife, "a photo of a knife", e),
                        label("scene.indoor", "indoor", "scene", null, "indoors", e),
                        label("scene.outdoor", "outdoor", "scene", null, "outdoors", e)))
                .setPolicies(List.of(
                        Policy.newBuilder()
                                .setId("review-weapons")
                                .setMatch(PolicyMatch.ANY)
                                .setLabels(List.of("weapons"))
                                .setAction(PolicyAction.REVIEW)
                                .setSeverity(Severity.MEDIUM)
                                .build(),
                        Policy.newBuilder()
                                .setId("block-knives")
                                .setMatch(PolicyMatch.ANY)
                                .setLabels(List.of("weapons.knife"))
                                .setAction(PolicyAction.BLOCK)
                                .setSeverity(Severity.HIGH)
                                .build()))
                .setCompiledAt(Instant.parse("2026-12-01T00:00:00Z"))
                .setMode(io.clipstream.schema.LabelSetMode.valueOf(mode))
                .build();
    }

    private static CompiledLabel label(
            String id, String name, String group, Float threshold, String prompt, List<Float> embedding) {
        return CompiledLabel.newBuilder()
                .setId(id)
                .setDisplayName(name)
                .setGroup(group)
                .setThreshold(threshold)
                .setEmbedding(embedding)
                .setPrompts(List.of(prompt))
                .build();
    }

    @Test
    void aYamlFileAndItsCompiledFormDifferInNothingButWhatChanged() throws IOException {
        Path yaml = Files.writeString(dir.resolve("old.yaml"), OLD);
        Path same = dir.resolve("same.avro");
        LabelSetFiles.write(compiledOld("3", 0.3f, "LIVE"), same);
        CliRun r = CliRun.of("labels", "diff", yaml.toString(), same.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("label set safety: version 3 -> 3\nno changes\n");

        Path shadow = dir.resolve("shadow.avro");
        LabelSetFiles.write(compiledOld("3.1", 0.28f, "SHADOW"), shadow);
        r = CliRun.of("labels", "diff", same.toString(), shadow.toString());
        assertThat(r.out()).isEqualTo("""
                label set safety: version 3 -> 3.1
                KIND   ID             CHANGE   FIELD      BEFORE  AFTER
                set    safety         changed  version    3       3.1
                set    safety         changed  mode       live    shadow
                label  weapons.knife  changed  threshold  0.3     0.28
                2 changes
                """);
    }
}
