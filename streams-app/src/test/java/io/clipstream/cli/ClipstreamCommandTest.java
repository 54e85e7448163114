package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clipstream.clip.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipstreamCommandTest {

    @TempDir
    Path dir;

    private static Path referenceImage(String name) {
        return TestModels.committed("reference-images").resolve(name);
    }

    @Test
    void aBadOptionIsOneLineOnStderr() {
        CliRun r = CliRun.of("embed", "--model", "x", "--image", "--bogus", "f.jpg");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("clipstream: Unknown option: '--bogus' (see 'clipstream embed --help')\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMissingFolderIsOneLineOnStderr() {
        Path missing = dir.resolve("missing");
        CliRun r = CliRun.of("embed", "--model", missing.toString(), "--text", "hello");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("clipstream: model folder " + missing + " does not exist or is not a directory\n");
    }

    @Test
    void anUnknownLayoutIsOneLineOnStderr() throws IOException {
        Files.writeString(dir.resolve("readme.txt"), "not a model");
        CliRun r = CliRun.of("classify", "--model", dir.toString(), "--image", "a.jpg", "--labels", "cat");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .startsWith("clipstream: model folder " + dir + " has an unknown layout")
                .endsWith("found [readme.txt]\n")
                .hasLineCount(1);
    }

    @Test
    void runWithoutARegistryAndAModelExitsAtOnceWithOneLineNamingTheKeys() {
        long start = System.nanoTime();
        CliRun r = CliRun.of("run");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("clipstream: run needs a real schema registry and model: schema.registry.url"
                        + " (CLIPSTREAM_SCHEMA_REGISTRY_URL) is not set; model.dir (CLIPSTREAM_MODEL_DIR) is not set. Set them"
                        + " in --config FILE or the environment, e.g. CLIPSTREAM_SCHEMA_REGISTRY_URL=https://registry:8081"
                        + " CLIPSTREAM_MODEL_DIR=/models/ViT-B-32__openai\n");
        assertThat((System.nanoTime() - start) / 1_000_000)
                .as("no Kafka connection was tried")
                .isLessThan(5_000);
    }

    @Test
    void runRefusesTheInMemoryRegistry() throws IOException {
        Path config = dir.resolve("run.properties");
        Files.writeString(config, "schema.registry.url=mock://clipstream\nmodel.dir=models/tiny-shapes\n");
        CliRun r = CliRun.of("run", "--config", config.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .startsWith("clipstream: run needs a real schema registry and model: schema.registry.url"
                        + " (CLIPSTREAM_SCHEMA_REGISTRY_URL) is mock://clipstream, an in-memory registry")
                .hasLineCount(1);
    }

    @Test
    void imageAndTextAreMutuallyExclusive() {
        CliRun r = CliRun.of("embed", "--model", "x", "--image", "--text", "a");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("clipstream: Error: --image, --text are mutually exclusive");
    }

    @Test
    void tokenizePrintsFullContextIdsAndDoubleDashEndsOptions() throws IOException {
        Path model = TestModels.copyWithTokenizer("tiny-vit-openclip", dir);
        CliRun r = CliRun.of("tokenize", "--model", model.toString(), "--", "a photo of a horse", "--help");
        assertThat(r.exit()).isZero();
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).path("text").asText()).isEqualTo("a photo of a horse");
        assertThat(lines.get(0).path("ids")).hasSize(77);
        int[] expected = {49406, 320, 1125, 539, 320, 4558, 49407, 0};
        for (int i = 0; i < expected.length; i++) {
            assertThat(lines.get(0).path("ids").get(i).asInt()).isEqualTo(expected[i]);
        }
        assertThat(lines.get(1).path("text").asText()).isEqualTo("--help");
    }

    @Test
    void embedImagesKeepsOrderReportsBadFilesAndExitsOne() throws IOException {
        Path model = TestModels.copy("tiny-vit-openclip", dir);
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        Path html = Files.writeString(dir.resolve("page.jpg"), "<html><body>not an image</body></html>");
        CliRun r = CliRun.of(
                "embed",
                "--model",
                model.toString(),
                "--image",
                referenceImage("astronaut.jpg").toString(),
                empty.toString(),
                dir.resolve("nope.png").toString(),
                html.toString(),
                referenceImage("chelsea.png").toString());
        assertThat(r.exit()).isEqualTo(1);
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0).path("embedding")).hasSize(32);
        assertThat(lines.get(1).path("error").asText()).isEqualTo("EMPTY");
        assertThat(lines.get(2).path("error").asText()).isEqualTo("UNREADABLE");
        assertThat(lines.get(3).path("error").asText()).isEqualTo("UNKNOWN_FORMAT");
        assertThat(lines.get(4).path("image").asText())
                .isEqualTo(referenceImage("chelsea.png").toString());
        assertThat(lines.get(4).path("embedding")).hasSize(32);
        double norm = 0;
        for (JsonNode v : lines.get(4).path("embedding")) {
            norm += v.asDouble() * v.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void embedTextPrintsOneEmbeddingPerText() throws IOException {
        Path model = TestModels.copyWithTokenizer("tiny-vit-openclip", dir);
        CliRun r = CliRun.of("embed", "--model", model.toString(), "--text", "a cat", "a dog");
        assertThat(r.exit()).isZero();
        assertThat(r.lines()).extracting(n -> n.path("text").asText()).containsExactly("a cat", "a dog");
        assertThat(r.lines().get(1).path("embedding")).hasSize(32);
    }

    @Test
    void classifyPrintsEveryLabelHighestFirstSummingToOne() throws IOException {
        Path model = TestModels.copyWithTokenizer("tiny-vit-openclip", dir);
        CliRun r = CliRun.of(
                "classify",
                "--model",
                model.toString(),
                "--image",
                referenceImage("chelsea.png").toString(),
                "--labels",
                "a cat",
                "a dog",
                "an astronaut");
        assertThat(r.exit()).isZero();
        List<JsonNode> lines = r.lines();
        assertThat(lines)
                .extracting(n -> n.path("label").asText())
                .containsExactlyInAnyOrder("a cat", "a dog", "an astronaut");
        double sum = 0;
        double previous = 1;
        for (JsonNode line : lines) {
            double p = line.path("probability").asDouble();
            assertThat(p).isLessThanOrEqualTo(previous);
            previous = p;
            sum += p;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }
}
