package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clipstream.clip.TestModels;
import io.clipstream.labels.LabelSetFiles;
import io.clipstream.schema.LabelSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsCommandTest {

    private static final String SET = """
            name: demo
            version: 4
            model: tiny-vit
            templates: ["a photo of a {}."]
            groups:
              - name: subject
                scoring: softmax
              - name: signs
                scoring: threshold
                threshold: -1
            labels:
              - id: subject.cat
                group: subject
              - id: subject.astronaut
                group: subject
              - id: signs.any
                group: signs
                prompts: ["anything at all"]
            policies:
              - id: always
                any: [signs]
                action: review
                severity: low
            """;

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        return Files.writeString(dir.resolve("demo.yaml"), text);
    }

    @Test
    void validateReportsEachFileAndExitsOneOnErrors() throws IOException {
        Path good = yaml(SET);
        Path bad = Files.writeString(dir.resolve("bad.yaml"), SET.replace("threshold: -1", "threshold: 2"));
        CliRun r = CliRun.of("labels", "validate", good.toString(), bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        List<JsonNode> lines = r.lines();
        assertThat(lines.get(0).path("valid").asBoolean()).isTrue();
        assertThat(lines.get(0).path("labels").asInt()).isEqualTo(3);
        assertThat(lines.get(1).path("valid").asBoolean()).isFalse();
        assertThat(lines.get(1).path("errors").get(0).asText())
                .isEqualTo("bad.yaml:10: groups[1].threshold: must be between -1 and 1");
        assertThat(r.err()).isEqualTo("bad.yaml:10: groups[1].threshold: must be between -1 and 1\n");
    }

    @Test
    void compileWritesAnAvroFileForTheModel() throws IOException {
        Path model = TestModels.copyWithTokenizer("tiny-vit-openclip", dir);
        Path out = dir.resolve("demo.avro");
        CliRun r = CliRun.of(
                "labels", "compile", "--model", model.toString(), yaml(SET).toString(), "-o", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode summary = r.lines().get(0);
        assertThat(summary.path("labels").asInt()).isEqualTo(3);
        assertThat(summary.path("dimension").asInt()).isEqualTo(32);
        LabelSet set = LabelSetFiles.read(out);
        assertThat(set.getVersion()).isEqualTo("4");
        assertThat(set.getModelFingerprint())
                .isEqualTo(summary.path("modelFingerprint").asText());
        assertThat(LabelSetFiles.isCompiled(out)).isTrue();
    }

    @Test
    void scorePrintsTagsAndFlagsAsTheProcessorEmitsThem() throws IOException {
        Path model = TestModels.copyWithTokenizer("tiny-vit-openclip", dir);
        Path image = TestModels.committed("reference-images").resolve("astronaut.jpg");
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        CliRun r = CliRun.of(
                "labels",
                "score",
                "--model",
                model.toString(),
                "--labels",
                yaml(SET).toString(),
                image.toString(),
                empty.toString());
        assertThat(r.exit()).isEqualTo(1);
        JsonNode first = r.lines().get(0);
        JsonNode tags = first.path("tags");
        assertThat(tags.path("eventId").asText()).isEqualTo(image.toString());
        assertThat(tags.path("modelId").asText()).isEqualTo("tiny-vit-openclip");
        assertThat(tags.path("labelSetName").asText()).isEqualTo("demo");
        assertThat(tags.path("labelSetVersion").asText()).isEqualTo("4");
        assertThat(tags.path("tags")).hasSize(2);
        assertThat(tags.path("tags").get(0).path("group").asText()).isEqualTo("subject");
        assertThat(tags.path("tags").get(1).path("labelId").asText()).isEqualTo("signs.any");
        JsonNode flag = first.path("flags").get(0);
        assertThat(flag.path("policyId").asText()).isEqualTo("always");
        assertThat(flag.path("action").asText()).isEqualTo("REVIEW");
        assertThat(flag.path("matched").get(0).path("threshold").asDouble()).isEqualTo(-1.0);
        assertThat(r.lines().get(1).path("error").asText()).isEqualTo("EMPTY");
    }

    @Test
    void aSetCompiledForAnotherModelIsRefusedNamingBothFingerprints() throws IOException {
        Path openclip = TestModels.copyWithTokenizer("tiny-vit-openclip", dir);
        Path hf = TestModels.copyWithTokenizer("tiny-vit-hf", dir);
        Path compiled = dir.resolve("demo.avro");
        assertThat(CliRun.of(
                                "labels",
                                "compile",
                                "--model",
                                openclip.toString(),
                                yaml(SET).toString(),
                                "-o",
                                compiled.toString())
                        .exit())
                .isZero();
        String fingerprint = LabelSetFiles.read(compiled).getModelFingerprint();
        CliRun r = CliRun.of(
                "labels",
                "score",
                "--model",
                hf.toString(),
                "--labels",
                compiled.toString(),
                TestModels.committed("reference-images").resolve("chelsea.png").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .startsWith("clipstream: label set demo version 4 was compiled for model " + fingerprint
                        + " (tiny-vit) but this processor runs sha256:")
                .doesNotContain(fingerprint + "; recompile");
    }
}
