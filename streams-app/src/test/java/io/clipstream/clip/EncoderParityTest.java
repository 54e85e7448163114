package io.clipstream.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Java path (preprocessing, ONNX Runtime, normalisation) against embeddings computed in PyTorch with OpenAI's
 * reference preprocessing and tokenizer, for every committed layout. Each must reach cosine ≥ 0.9999.
 */
class EncoderParityTest {

    private static final double MIN_COSINE = 0.9999;
    private static final Map<String, Double> LOWEST = new TreeMap<>();
    private static JsonNode reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void readReference() throws IOException {
        reference = new ObjectMapper()
                .readTree(TestModels.committed("reference.json").toFile());
    }

    @AfterAll
    static void printLowest() {
        LOWEST.forEach((layout, cosine) ->
                System.out.printf("lowest embedding cosine vs PyTorch, %s: %.7f%n", layout, cosine));
    }

    private static void record(String what, double cosine) {
        LOWEST.merge(what, cosine, Math::min);
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).doubleValue();
        }
        return v;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "tiny-vit-openclip, tiny-vit",
        "tiny-vit-hf, tiny-vit",
        "tiny-vit-hf-combined, tiny-vit",
        "tiny-vit-openclip-batch1, tiny-vit",
        "tiny-vit-openclip-uint8, tiny-vit",
        "tiny-rn-openclip, tiny-rn",
    })
    void imageEmbeddingsMatchPyTorch(String folderName, String weights) throws Exception {
        ModelFolder folder = ModelFolder.open(TestModels.copy(folderName, dir));
        List<String> names = new ArrayList<>();
        reference.path("images").fieldNames().forEachRemaining(names::add);
        assertThat(names).hasSizeGreaterThanOrEqualTo(4);
        try (ImageEncoder encoder =
                ImageEncoder.open(folder, InferenceOptions.defaults().withMaxBatchSize(3))) {
            List<RgbImage> pixels = new ArrayList<>();
            for (String name : names) {
                pixels.add(encoder.preprocessor()
                        .preprocessPixels(Files.readAllBytes(
                                TestModels.committed("reference-images").resolve(name))));
            }
            float[][] embeddings = encoder.embed(pixels);
            for (int i = 0; i < names.size(); i++) {
                float[] expected =
                        floats(reference.path("images").path(names.get(i)).path(weights));
                assertThat(embeddings[i]).hasSize(expected.length);
                double cosine = Embeddings.cosine(embeddings[i], expected);
                record(folder.layout().id() + " image (" + folderName + ")", cosine);
                assertThat(cosine).as("%s %s", folderName, names.get(i)).isGreaterThanOrEqualTo(MIN_COSINE);
                assertThat(Embeddings.dot(embeddings[i], embeddings[i]))
                        .isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tiny-vit-openclip", "tiny-vit-hf", "tiny-vit-hf-combined"})
    void textEmbeddingsAndIdsMatchPyTorch(String folderName) {
        ModelFolder folder = ModelFolder.open(TestModels.copyWithTokenizer(folderName, dir));
        try (TextEncoder encoder =
                TextEncoder.open(folder, InferenceOptions.defaults().withMaxBatchSize(4))) {
            List<String> texts = new ArrayList<>();
            for (JsonNode t : reference.path("texts")) {
                texts.add(t.path("text").asText());
            }
            assertThat(texts)
                    .as("texts of reference.json (an empty list would check nothing)")
                    .hasSizeGreaterThanOrEqualTo(4);
            float[][] embeddings = encoder.embed(texts);
            Iterator<JsonNode> cases = reference.path("texts").iterator();
            for (int i = 0; cases.hasNext(); i++) {
                JsonNode c = cases.next();
                int[] ids = encoder.tokenizer().tokenize(texts.get(i)).ids();
                for (int k = 0; k < ids.length; k++) {
                    assertThat(ids[k])
                            .as("id %d of %s", k, texts.get(i))
                            .isEqualTo(c.path("ids").get(k).asInt());
                }
                double cosine = Embeddings.cosine(embeddings[i], floats(c.path("tiny-vit")));
                record(folder.layout().id() + " text (" + folderName + ")", cosine);
                assertThat(cosine).as(texts.get(i)).isGreaterThanOrEqualTo(MIN_COSINE);
            }
        }
    }

    @Test
    void batchedAndSingleRunsAgree() throws IOException, ImageRejectedException {
        ModelFolder folder = ModelFolder.open(TestModels.copy("tiny-vit-openclip", dir));
        try (ImageEncoder batched =
                        ImageEncoder.open(folder, InferenceOptions.defaults().withMaxBatchSize(8));
                ImageEncoder single =
                        ImageEncoder.open(folder, InferenceOptions.defaults().withMaxBatchSize(1))) {
            List<RgbImage> pixels = new ArrayList<>();
            try (var files = Files.list(TestModels.committed("reference-images"))) {
                for (Path file : files.sorted()
                        .filter(p -> !p.toString().endsWith(".md"))
                        .toList()) {
                    pixels.add(batched.preprocessor().preprocessPixels(Files.readAllBytes(file)));
                }
            }
            float[][] a = batched.embed(pixels);
            float[][] b = single.embed(pixels);
            for (int i = 0; i < a.length; i++) {
                assertThat(Embeddings.cosine(a[i], b[i])).isGreaterThan(0.99999);
            }
            assertThat(batched.embed(List.of())).isEmpty();
        }
    }
}
