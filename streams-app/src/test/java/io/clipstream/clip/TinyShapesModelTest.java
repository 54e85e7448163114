package io.clipstream.clip;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built-in demo model ({@code models/tiny-shapes}, trained by {@code tools/tiny_shapes}) through the Java path:
 * tokenizer ids equal the Python tokenizer's, embeddings equal PyTorch's, and zero-shot accuracy on held-out
 * synthetic images stays above the floor. Runs on the committed 100-image sample; point
 * {@code -Dclipstream.heldout.dir} at a full held-out set written by {@code tools/tiny_shapes/evaluate.py} to
 * measure on it.
 */
class TinyShapesModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double ACCURACY_FLOOR = 0.90;

    private static ImageEncoder images;
    private static TextEncoder texts;
    private static Path heldout;

    @BeforeAll
    static void load() throws Exception {
        ModelFolder folder = ModelFolder.open(Path.of("..", "models", "tiny-shapes"));
        images = ImageEncoder.open(folder, InferenceOptions.defaults());
        texts = TextEncoder.open(folder, InferenceOptions.defaults());
        String configured = System.getProperty("clipstream.heldout.dir");
        heldout = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(TinyShapesModelTest.class
                        .getResource("/tiny-shapes-heldout")
                        .toURI());
    }

    @AfterAll
    static void close() {
        images.close();
        texts.close();
    }

    private static JsonNode json(String name) throws IOException {
        return JSON.readTree(heldout.resolve(name).toFile());
    }

    private static float[] floats(JsonNode array) {
        float[] v = new float[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) array.get(i).doubleValue();
        }
        return v;
    }

    private static float[] ensemble(float[][] normalised) {
        float[] mean = new float[normalised[0].length];
        for (float[] e : normalised) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += e[i] / normalised.length;
            }
        }
        return Embeddings.l2Normalize(mean);
    }

    @Test
    void tokenIdsEqualThePythonTokenizers() throws IOException {
        JsonNode fixture = JSON.readTree(TinyShapesModelTest.class.getResource("/tiny-shapes-heldout/token-ids.json"));
        int cases = 0;
        for (JsonNode c : fixture.path("cases")) {
            int[] ids = texts.tokenizer().tokenize(c.path("text").asText()).ids();
            int[] expected = new int[c.path("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.path("ids").get(i).asInt();
            }
            assertThat(ids).as(c.path("text").asText()).containsExactly(expected);
            cases++;
        }
        System.out.printf("tiny-shapes tokenizer: %d/%d cases equal to tools/tiny_shapes/bpe.py%n", cases, cases);
        assertThat(cases).isGreaterThan(100);
    }

    @Test
    void zeroShotAccuracyAndEmbeddingsMatchPyTorch() throws IOException {
        JsonNode classes = JSON.readTree(TinyShapesModelTest.class.getResource("/tiny-shapes-heldout/classes.json"))
                .path("classes");
        List<float[]> classEmbeddings = new ArrayList<>();
        double lowestTextCosine = 1;
        for (JsonNode c : classes) {
            List<String> prompts = new ArrayList<>();
            c.path("prompts").forEach(p -> prompts.add(p.asText()));
            float[] e = ensemble(texts.embed(prompts));
            classEmbeddings.add(e);
            lowestTextCosine = Math.min(lowestTextCosine, Embeddings.cosine(e, floats(c.path("embedding"))));
        }
        JsonNode manifest = json("manifest.json").path("images");
        JsonNode reference = json("embeddings.json").path("embeddings");
        List<RgbImage> pixels = new ArrayList<>();
        for (JsonNode m : manifest) {
            try {
                pixels.add(images.preprocessor()
                        .preprocessPixels(Files.readAllBytes(
                                heldout.resolve(m.path("file").asText()))));
            } catch (io.clipstream.image.ImageRejectedException e) {
                throw new AssertionError(m.path("file").asText() + " rejected", e);
            }
        }
        float[][] embedded = images.embed(pixels);
        int correct = 0;
        double lowestImageCosine = 1;
        Map<String, float[]> captions = new LinkedHashMap<>();
        for (JsonNode m : manifest) {
            captions.putIfAbsent(m.path("caption").asText(), null);
        }
        List<String> captionList = new ArrayList<>(captions.keySet());
        float[][] captionEmbeddings = texts.embed(captionList);
        int recall1 = 0;
        int recall5 = 0;
        for (int i = 0; i < embedded.length; i++) {
            JsonNode m = manifest.get(i);
            lowestImageCosine = Math.min(
                    lowestImageCosine,
                    Embeddings.cosine(
                            embedded[i], floats(reference.path(m.path("file").asText()))));
            int best = 0;
            for (int c = 1; c < classEmbeddings.size(); c++) {
                if (Embeddings.dot(embedded[i], classEmbeddings.get(c))
                        > Embeddings.dot(embedded[i], classEmbeddings.get(best))) {
                    best = c;
                }
            }
            correct += best == m.path("class_id").asInt() ? 1 : 0;
            float own = Embeddings.dot(
                    embedded[i],
                    captionEmbeddings[captionList.indexOf(m.path("caption").asText())]);
            int better = 0;
            for (float[] caption : captionEmbeddings) {
                better += Embeddings.dot(embedded[i], caption) > own ? 1 : 0;
            }
            recall1 += better < 1 ? 1 : 0;
            recall5 += better < 5 ? 1 : 0;
        }
        double accuracy = (double) correct / embedded.length;
        System.out.printf(
                "tiny-shapes held-out (%d images, %d classes, %s): Java zero-shot top-1 %.4f (chance"
                        + " %.4f, PyTorch %s); image->text recall@1 %.4f, @5 %.4f over %d captions; lowest cosine"
                        + " vs PyTorch: image %.7f, class text %.7f%n",
                embedded.length,
                classes.size(),
                heldout,
                accuracy,
                1.0 / classes.size(),
                json("manifest.json").path("pytorch_zero_shot_top1").asText("n/a"),
                (double) recall1 / embedded.length,
                (double) recall5 / embedded.length,
                captionList.size(),
                lowestImageCosine,
                lowestTextCosine);
        assertThat(lowestImageCosine).isGreaterThanOrEqualTo(0.9999);
        assertThat(lowestTextCosine).isGreaterThanOrEqualTo(0.9999);
        assertThat(accuracy).isGreaterThanOrEqualTo(ACCURACY_FLOOR);
    }
}
