package io.clipstream.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.clipstream.clip.Embeddings;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import io.clipstream.clip.TestModels;
import io.clipstream.clip.TextEncoder;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.LabelSet;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelSetCompilerTest {

    @TempDir
    Path dir;

    @Test
    void ensemblingIsTheNormalisedMeanOfNormalisedPrompts() {
        // (0.6, 0.8, 0) and (1, 0, 0): mean (0.8, 0.4, 0), norm sqrt(0.8) = 0.894427
        float[] e = LabelSetCompiler.ensemble(new float[][] {{0.6f, 0.8f, 0f}, {1f, 0f, 0f}});
        assertThat(e).containsExactly(new float[] {0.8944272f, 0.4472136f, 0f}, within(1e-6f));
        float[] single = LabelSetCompiler.ensemble(new float[][] {{0f, 1f, 0f}});
        assertThat(single).containsExactly(0f, 1f, 0f);
    }

    @Test
    void compilingEmbedsEnsemblesAndCarriesEverythingTheProcessorNeeds() throws Exception {
        String yaml = """
                name: demo
                version: 2
                model: tiny-vit
                templates: ["a photo of a {}.", "a drawing of a {}."]
                groups:
                  - {name: animal, scoring: softmax}
                  - {name: signs, scoring: threshold, threshold: 0.2}
                labels:
                  - {id: animal.cat, group: animal}
                  - {id: animal.dog, group: animal}
                  - {id: signs.stop, name: stop sign, group: signs, prompts: ["a red stop sign"],
                     counter_prompts: ["a red apple"]}
                policies:
                  - {id: stop, any: [signs], action: review, severity: low}
                """;
        LabelSetDefinition definition = LabelSetParser.parse("demo.yaml", yaml);
        ModelFolder folder = ModelFolder.open(TestModels.copyWithTokenizer("tiny-vit-openclip", dir));
        Instant now = Instant.parse("2026-11-29T12:00:00.123Z");
        try (TextEncoder encoder = TextEncoder.open(folder, InferenceOptions.defaults())) {
            LabelSet set = new LabelSetCompiler(encoder, ModelFingerprint.of(folder), Clock.fixed(now, ZoneOffset.UTC))
                    .compile(definition);
            assertThat(set.getName()).isEqualTo("demo");
            assertThat(set.getVersion()).isEqualTo("2");
            assertThat(set.getDimension()).isEqualTo(32);
            assertThat(set.getModelFingerprint())
                    .isEqualTo(ModelFingerprint.of(folder))
                    .startsWith("sha256:")
                    .hasSize(71);
            assertThat(set.getCompiledAt()).isEqualTo(now);
            assertThat(set.getGroups())
                    .extracting(g -> g.getScoring())
                    .containsExactly(GroupScoring.SOFTMAX, GroupScoring.THRESHOLD);

            CompiledLabel cat = set.getLabels().get(0);
            assertThat(cat.getPrompts()).containsExactly("a photo of a cat.", "a drawing of a cat.");
            float[][] prompts = encoder.embed(cat.getPrompts());
            float[] expected = LabelSetCompiler.ensemble(prompts);
            for (int i = 0; i < expected.length; i++) {
                assertThat(cat.getEmbedding().get(i)).isCloseTo(expected[i], within(1e-6f));
            }
            CompiledLabel stop = set.getLabels().get(2);
            assertThat(stop.getThreshold()).isEqualTo(0.2f);
            assertThat(stop.getCounterEmbeddings()).hasSize(1);
            float[] apple = encoder.embed(List.of("a red apple"))[0];
            assertThat(stop.getCounterEmbeddings().get(0).get(0)).isCloseTo(apple[0], within(1e-6f));
            float[] stopEmbedding = new float[32];
            for (int i = 0; i < 32; i++) {
                stopEmbedding[i] = stop.getEmbedding().get(i);
            }
            assertThat(Embeddings.dot(stopEmbedding, stopEmbedding)).isCloseTo(1f, within(1e-5f));
            assertThat(CompiledLabelSet.of(set).labelCount()).isEqualTo(3);
        }
    }

    @Test
    void fingerprintsDifferWhenTheTokenizerDiffers() throws Exception {
        ModelFolder folder = ModelFolder.open(TestModels.copyWithTokenizer("tiny-vit-openclip", dir));
        String before = ModelFingerprint.of(folder);
        java.nio.file.Files.writeString(
                folder.tokenizer().orElseThrow(),
                java.nio.file.Files.readString(folder.tokenizer().orElseThrow()) + " ");
        assertThat(ModelFingerprint.of(folder)).isNotEqualTo(before);
    }
}
