package io.clipstream.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clipstream.image.Interpolation;
import io.clipstream.image.PreprocessSpec;
import io.clipstream.image.ResizeMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFolderTest {

    @TempDir
    Path dir;

    private Path write(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private void immich(int size, int embed) throws IOException {
        write(
                "config.json",
                "{\"embed_dim\": " + embed + ", \"vision_cfg\": {\"image_size\": " + size
                        + "}, \"text_cfg\": {\"context_length\": 77}}");
        write("visual/model.onnx", "");
        write(
                "visual/preprocess_cfg.json",
                "{\"size\": [" + size + ", " + size + "], \"mode\": \"RGB\","
                        + " \"mean\": [0.48145466, 0.4578275, 0.40821073], \"std\": [0.26862954, 0.26130258, 0.27577711],"
                        + " \"interpolation\": \"bicubic\", \"resize_mode\": \"shortest\", \"fill_color\": 0}");
        write("textual/model.onnx", "");
        write("textual/tokenizer.json", "{}");
    }

    @Test
    void openClipFoldersOfEveryOpenAiVariantGiveTheirResolutionAndWidth() throws IOException {
        int[][] variants = {
            {224, 1024}, {224, 512}, {288, 640}, {384, 768}, {448, 1024}, {224, 512}, {224, 768}, {336, 768}
        };
        for (int[] v : variants) {
            immich(v[0], v[1]);
            ModelFolder folder = ModelFolder.open(dir);
            assertThat(folder.layout()).isEqualTo(ModelLayout.OPEN_CLIP);
            assertThat(folder.preprocess().size()).isEqualTo(v[0]);
            assertThat(folder.embedDim()).hasValue(v[1]);
            assertThat(folder.contextLength()).isEqualTo(77);
            assertThat(folder.visualModel()).contains(dir.resolve("visual/model.onnx"));
            assertThat(folder.tokenizer()).contains(dir.resolve("textual/tokenizer.json"));
        }
    }

    @Test
    void openClipSquashAndBilinearAreRead() throws IOException {
        write("visual/model.onnx", "");
        write(
                "visual/preprocess_cfg.json",
                "{\"size\": 256, \"mean\": [0.5, 0.5, 0.5], \"std\": [0.5, 0.5, 0.5],"
                        + " \"interpolation\": \"bilinear\", \"resize_mode\": \"squash\"}");
        PreprocessSpec spec = ModelFolder.open(dir).preprocess();
        assertThat(spec.size()).isEqualTo(256);
        assertThat(spec.resizeMode()).isEqualTo(ResizeMode.SQUASH);
        assertThat(spec.interpolation()).isEqualTo(Interpolation.BILINEAR);
        assertThat(spec.mean()).containsExactly(0.5f, 0.5f, 0.5f);
        assertThat(ModelFolder.open(dir).textualModel()).isEmpty();
    }

    @Test
    void openClipLongestResizeModeIsRefusedWithTheFile() throws IOException {
        write("visual/model.onnx", "");
        Path cfg = write("visual/preprocess_cfg.json", "{\"size\": 224, \"resize_mode\": \"longest\"}");
        assertThatThrownBy(() -> ModelFolder.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(cfg.toAbsolutePath() + ": resize_mode must be shortest or squash, found longest");
    }

    @Test
    void openClipConfigDisagreeingWithPreprocessCfgIsRefused() throws IOException {
        immich(224, 512);
        write("config.json", "{\"embed_dim\": 512, \"vision_cfg\": {\"image_size\": 336}}");
        assertThatThrownBy(() -> ModelFolder.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("vision_cfg.image_size 336 disagrees with")
                .hasMessageEndingWith("preprocess_cfg.json size 224");
    }

    @Test
    void huggingFaceSeparateTowers() throws IOException {
        write("onnx/vision_model.onnx", "");
        write("onnx/text_model.onnx", "");
        write("tokenizer.json", "{}");
        write("config.json", "{\"projection_dim\": 768, \"text_config\": {\"max_position_embeddings\": 77}}");
        write(
                "preprocessor_config.json",
                "{\"crop_size\": {\"height\": 336, \"width\": 336},"
                        + " \"size\": {\"shortest_edge\": 336}, \"image_mean\": [0.48145466, 0.4578275, 0.40821073],"
                        + " \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"resample\": 3, \"do_center_crop\": true}");
        ModelFolder folder = ModelFolder.open(dir);
        assertThat(folder.layout()).isEqualTo(ModelLayout.HUGGING_FACE);
        assertThat(folder.preprocess().size()).isEqualTo(336);
        assertThat(folder.preprocess().interpolation()).isEqualTo(Interpolation.BICUBIC);
        assertThat(folder.preprocess().resizeMode()).isEqualTo(ResizeMode.SHORTEST);
        assertThat(folder.embedDim()).hasValue(768);
        assertThat(folder.tokenizer()).contains(dir.resolve("tokenizer.json"));
    }

    @Test
    void huggingFaceVariantsAreChosenByName() throws IOException {
        write("onnx/vision_model_fp16.onnx", "");
        write("onnx/vision_model_quantized.onnx", "");
        write("preprocessor_config.json", "{\"crop_size\": 224, \"size\": {\"shortest_edge\": 224}}");
        assertThat(ModelFolder.open(dir, "fp16").visualModel()).contains(dir.resolve("onnx/vision_model_fp16.onnx"));
        assertThatThrownBy(() -> ModelFolder.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("model folder " + dir + ": no onnx/vision_model.onnx, onnx/text_model.onnx or"
                        + " onnx/model.onnx; the folder has [vision_model_fp16.onnx, vision_model_quantized.onnx]"
                        + " (choose one with the model variant option)");
    }

    @Test
    void huggingFaceCombinedGraph() throws IOException {
        write("onnx/model.onnx", "");
        write("preprocessor_config.json", "{\"crop_size\": 224, \"size\": {\"shortest_edge\": 224}}");
        ModelFolder folder = ModelFolder.open(dir);
        assertThat(folder.layout()).isEqualTo(ModelLayout.HUGGING_FACE_COMBINED);
        assertThat(folder.visualModel()).isEqualTo(folder.textualModel());
    }

    @Test
    void huggingFaceResizeLargerThanCropIsRefused() throws IOException {
        write("onnx/vision_model.onnx", "");
        Path cfg = write("preprocessor_config.json", "{\"crop_size\": 224, \"size\": {\"shortest_edge\": 256}}");
        assertThatThrownBy(() -> ModelFolder.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(cfg + ": resizing to 256 then cropping to 224 is not supported; ClipStream resizes and"
                        + " crops to the same size, as CLIP does");
    }

    @Test
    void huggingFaceWithoutPreprocessorConfigIsRefused() throws IOException {
        write("onnx/vision_model.onnx", "");
        assertThatThrownBy(() -> ModelFolder.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(dir.resolve("preprocessor_config.json") + " is missing: cannot tell how to preprocess"
                        + " images for onnx/vision_model.onnx");
    }

    @Test
    void unknownLayoutSaysWhatWasExpectedAndFound() throws IOException {
        write("pytorch_model.bin", "");
        write("weights/readme.txt", "");
        assertThatThrownBy(() -> ModelFolder.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("model folder " + dir + " has an unknown layout: expected visual/model.onnx or"
                        + " textual/model.onnx (open_clip / Immich) or onnx/vision_model.onnx, onnx/text_model.onnx"
                        + " or onnx/model.onnx (Hugging Face); found [pytorch_model.bin, weights/]");
    }

    @Test
    void missingFolderIsRefused() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> ModelFolder.open(missing))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("model folder " + missing + " does not exist or is not a directory");
    }

    @Test
    void invalidJsonNamesTheFile() throws IOException {
        write("visual/model.onnx", "");
        Path cfg = write("visual/preprocess_cfg.json", "{\"size\": ");
        assertThatThrownBy(() -> ModelFolder.open(dir))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(cfg + " is not valid JSON: ");
    }

    @Test
    void aFolderWithoutAnImageTowerSaysSoWhenAskedForPreprocessing() throws IOException {
        write("textual/model.onnx", "");
        ModelFolder folder = ModelFolder.open(dir);
        assertThatThrownBy(folder::preprocess)
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("model folder " + dir + " has no image tower");
    }
}
