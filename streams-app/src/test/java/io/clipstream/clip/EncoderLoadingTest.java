package io.clipstream.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks: signatures against configuration, shared sessions, devices, closing. */
class EncoderLoadingTest {

    @TempDir
    Path dir;

    private static void replaceInFile(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to));
    }

    @Test
    void aResolutionTheGraphDoesNotTakeFailsNamingFileExpectationAndModel() throws IOException {
        Path folder = TestModels.copy("tiny-vit-openclip", dir);
        replaceInFile(folder.resolve("visual/preprocess_cfg.json"), "224, 224", "288, 288");
        replaceInFile(folder.resolve("config.json"), "\"image_size\": 224", "\"image_size\": 288");
        ModelFolder model = ModelFolder.open(folder);
        assertThatThrownBy(() -> ImageEncoder.open(model, InferenceOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("tiny-vit-openclip/visual/model.onnx: expected input image float32 [N,3,288,288]"
                        + " (or uint8 [N,288,288,3]); the model has inputs [image float32 [?,3,224,224]] and"
                        + " outputs [embedding float32 [?,32]]");
        assertThat(OnnxSessions.openSessions()).isZero();
    }

    @Test
    void anEmbeddingWidthTheConfigDoesNotDeclareFails() throws IOException {
        Path folder = TestModels.copy("tiny-vit-openclip", dir);
        replaceInFile(folder.resolve("config.json"), "\"embed_dim\": 32", "\"embed_dim\": 512");
        ModelFolder model = ModelFolder.open(folder);
        assertThatThrownBy(() -> ImageEncoder.open(model, InferenceOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("tiny-vit-openclip/visual/model.onnx: the folder's config declares embedding width 512"
                        + " but output embedding is [?,32]; the model has inputs [image float32 [?,3,224,224]] and"
                        + " outputs [embedding float32 [?,32]]");
    }

    @Test
    void aTextGraphWithTheWrongContextFails() throws IOException {
        Path folder = TestModels.copyWithTokenizer("tiny-vit-openclip", dir);
        replaceInFile(folder.resolve("config.json"), "\"context_length\": 77", "\"context_length\": 64");
        ModelFolder model = ModelFolder.open(folder);
        assertThatThrownBy(() -> TextEncoder.open(model, InferenceOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("tiny-vit-openclip/textual/model.onnx: expected input text or input_ids int32/int64"
                        + " [N,64] (+ optional attention_mask); the model has inputs [text int32 [?,77]] and"
                        + " outputs [embedding float32 [?,32]]");
    }

    @Test
    void aTextTowerWithoutTokenizerFails() {
        ModelFolder model = ModelFolder.open(TestModels.copy("tiny-vit-openclip", dir));
        assertThatThrownBy(() -> TextEncoder.open(model, InferenceOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("model folder " + model.root() + " has no tokenizer.json for its text tower (expected"
                        + " textual/tokenizer.json)");
    }

    @Test
    void aVisualOnlyFolderRefusesTextWithAClearMessage() {
        ModelFolder model = ModelFolder.open(TestModels.copy("tiny-vit-openclip-batch1", dir));
        assertThatThrownBy(() -> TextEncoder.open(model, InferenceOptions.defaults()))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("model folder " + model.root() + " has no text tower (textual/model.onnx or"
                        + " onnx/text_model.onnx)");
    }

    @Test
    void encodersOfOneModelShareOneSessionClosedByTheLastHolder() {
        ModelFolder model = ModelFolder.open(TestModels.copy("tiny-vit-openclip", dir));
        int before = OnnxSessions.openSessions();
        ImageEncoder first = ImageEncoder.open(model, InferenceOptions.defaults());
        ImageEncoder second = ImageEncoder.open(model, InferenceOptions.defaults());
        assertThat(OnnxSessions.openSessions()).isEqualTo(before + 1);
        first.close();
        first.close();
        assertThat(OnnxSessions.openSessions()).isEqualTo(before + 1);
        byte[] grey = new byte[224 * 224 * 3];
        assertThat(second.embed(List.of(new io.clipstream.image.RgbImage(224, 224, grey)))[0])
                .hasSize(32);
        second.close();
        assertThat(OnnxSessions.openSessions()).isEqualTo(before);
        assertThatThrownBy(() -> second.embed(List.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cudaWithoutTheGpuBuildFailsAtStartUpWithTheReason() {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "CUDA build present");
        ModelFolder model = ModelFolder.open(TestModels.copy("tiny-vit-openclip", dir));
        InferenceOptions cuda = InferenceOptions.defaults().withDevice(ExecutionDevice.parse("cuda:0"));
        assertThatThrownBy(() -> ImageEncoder.open(model, cuda))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(
                        "device cuda:0 was asked for " + model.root().resolve("visual/model.onnx")
                                + " but this ONNX Runtime build has no CUDA provider")
                .hasMessageEndingWith("build with the gpu Maven profile (allow the CPU fallback to run anyway)");
    }

    @Test
    void cudaWithFallbackRunsOnTheCpu() {
        org.junit.jupiter.api.Assumptions.assumeFalse(
                OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA), "CUDA build present");
        ModelFolder model = ModelFolder.open(TestModels.copy("tiny-vit-openclip", dir));
        InferenceOptions cuda = new InferenceOptions(ExecutionDevice.parse("cuda"), true, 1, false, 8);
        try (ImageEncoder encoder = ImageEncoder.open(model, cuda)) {
            assertThat(encoder.device()).isEqualTo(ExecutionDevice.CPU);
        }
    }

    @Test
    void aFixedBatchExportRunsAnyNumberOfImages() {
        ModelFolder model = ModelFolder.open(TestModels.copy("tiny-vit-openclip-batch1", dir));
        try (ImageEncoder encoder = ImageEncoder.open(model, InferenceOptions.defaults())) {
            assertThat(encoder.batchSize()).isEqualTo(1);
            byte[] grey = new byte[224 * 224 * 3];
            var image = new io.clipstream.image.RgbImage(224, 224, grey);
            assertThat(encoder.embed(List.of(image, image, image))).hasDimensions(3, 32);
        }
    }
}
