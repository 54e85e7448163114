package io.clipstream.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.image.Interpolation;
import io.clipstream.image.PreprocessSpec;
import io.clipstream.image.ResizeMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A CLIP model folder as users download it, with its layout detected and its configuration read: which ONNX graphs
 * exist, how images are preprocessed, the text context length and (when declared) the embedding width.
 *
 * <p>Either tower may be absent: a folder holding only the image tower serves the streaming processor, which never
 * runs the text tower; commands that need the text tower fail with a clear message.
 */
public final class ModelFolder {

    /** OpenAI's context length, used when a folder does not declare one. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final ModelLayout layout;
    private final Path visualModel;
    private final Path textualModel;
    private final Path tokenizer;
    private final PreprocessSpec preprocess;
    private final int contextLength;
    private final Integer embedDim;

    private ModelFolder(
            Path root,
            ModelLayout layout,
            Path visualModel,
            Path textualModel,
            Path tokenizer,
            PreprocessSpec preprocess,
            int contextLength,
            Integer embedDim) {
        this.root = root;
        this.layout = layout;
        this.visualModel = visualModel;
        this.textualModel = textualModel;
        this.tokenizer = tokenizer;
        this.preprocess = preprocess;
        this.contextLength = contextLength;
        this.embedDim = embedDim;
    }

    /** Opens a folder with the default (full-precision) graphs. */
    public static ModelFolder open(Path dir) {
        return open(dir, "");
    }

    /**
     * Opens a folder, detecting its layout.
     *
     * @param dir the model folder
     * @param variant for Hugging Face layouts, the graph variant to load ({@code ""} for {@code model.onnx},
     *     {@code "fp16"} for {@code model_fp16.onnx}, {@code "quantized"}, ...); ignored for open_clip folders
     * @throws ModelLoadException when the folder is missing, its layout unknown or its configuration invalid
     */
    public static ModelFolder open(Path dir, String variant) {
        if (!Files.isDirectory(dir)) {
            throw new ModelLoadException("model folder " + dir + " does not exist or is not a directory");
        }
        Path root = dir.toAbsolutePath().normalize();
        if (Files.isRegularFile(root.resolve("visual/model.onnx"))
                || Files.isRegularFile(root.resolve("textual/model.onnx"))) {
            return openOpenClip(root);
        }
        Path onnx = root.resolve("onnx");
        String suffix = variant == null || variant.isBlank()
                ? ""
                : "_" + variant.strip().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(onnx)) {
            Path vision = onnx.resolve("vision_model" + suffix + ".onnx");
            Path text = onnx.resolve("text_model" + suffix + ".onnx");
            Path combined = onnx.resolve("model" + suffix + ".onnx");
            if (Files.isRegularFile(vision) || Files.isRegularFile(text)) {
                return openHuggingFace(root, existing(vision), existing(text), ModelLayout.HUGGING_FACE);
            }
            if (Files.isRegularFile(combined)) {
                return openHuggingFace(root, combined, combined, ModelLayout.HUGGING_FACE_COMBINED);
            }
            List<String> graphs = listOnnx(onnx);
            if (!graphs.isEmpty()) {
                throw new ModelLoadException("model folder " + root + ": no onnx/vision_model" + suffix
                        + ".onnx, onnx/text_model" + suffix + ".onnx or onnx/model" + suffix
                        + ".onnx; the folder has " + graphs + " (choose one with the model variant option)");
            }
        }
        throw new ModelLoadException("model folder " + root + " has an unknown layout: expected visual/model.onnx"
                + " or textual/model.onnx (open_clip / Immich) or onnx/vision_model.onnx, onnx/text_model.onnx or"
                + " onnx/model.onnx (Hugging Face); found " + listTop(root));
    }

    private static ModelFolder openOpenClip(Path root) {
        JsonNode config = readJsonIfPresent(root.resolve("config.json"));
        Path visual = existing(root.resolve("visual/model.onnx"));
        Path textual = existing(root.resolve("textual/model.onnx"));
        PreprocessSpec preprocess = null;
        if (visual != null) {
            Path cfgPath = root.resolve("visual/preprocess_cfg.json");
            JsonNode cfg = readJsonIfPresent(cfgPath);
            if (cfg == null) {
                int size =
                        config == null ? -1 : firstInt(config.path("vision_cfg").path("image_size"));
                if (size <= 0) {
                    throw new ModelLoadException(cfgPath + " is missing and config.json declares no"
                            + " vision_cfg.image_size: cannot tell how to preprocess images");
                }
                preprocess = PreprocessSpec.clip(size);
            } else {
                preprocess = openClipPreprocess(cfgPath, cfg);
            }
            int declared =
                    config == null ? -1 : firstInt(config.path("vision_cfg").path("image_size"));
            if (declared > 0 && declared != preprocess.size()) {
                throw new ModelLoadException(root.resolve("config.json") + ": vision_cfg.image_size " + declared
                        + " disagrees with " + cfgPath + " size " + preprocess.size());
            }
        }
        Path tokenizer = textual == null ? null : existing(root.resolve("textual/tokenizer.json"));
        int context = DEFAULT_CONTEXT_LENGTH;
        if (config != null && config.path("text_cfg").path("context_length").isInt()) {
            context = config.path("text_cfg").path("context_length").intValue();
        } else {
            JsonNode tokCfg = readJsonIfPresent(root.resolve("textual/tokenizer_config.json"));
            if (tokCfg != null
                    && tokCfg.path("model_max_length").isInt()
                    && tokCfg.path("model_max_length").intValue() < 100_000) {
                context = tokCfg.path("model_max_length").intValue();
            }
        }
        Integer embedDim = config != null && config.path("embed_dim").isInt()
                ? config.path("embed_dim").intValue()
                : null;
        return new ModelFolder(root, ModelLayout.OPEN_CLIP, visual, textual, tokenizer, preprocess, context, embedDim);
    }

    private static PreprocessSpec openClipPreprocess(Path cfgPath, JsonNode cfg) {
        int size = firstInt(cfg.path("size"));
        if (size <= 0) {
            throw new ModelLoadException(
                    cfgPath + ": size must be a positive integer or [h, w], found " + cfg.path("size"));
        }
        JsonNode sizeNode = cfg.path("size");
        if (sizeNode.isArray()
                && sizeNode.size() == 2
                && sizeNode.get(0).intValue() != sizeNode.get(1).intValue()) {
            throw new ModelLoadException(cfgPath + ": non-square size " + sizeNode + " is not supported");
        }
        String resize = cfg.path("resize_mode").asText("shortest");
        if (!resize.equals("shortest") && !resize.equals("squash")) {
            throw new ModelLoadException(cfgPath + ": resize_mode must be shortest or squash, found " + resize);
        }
        String mode = cfg.path("mode").asText("RGB");
        if (!mode.equals("RGB")) {
            throw new ModelLoadException(cfgPath + ": mode must be RGB, found " + mode);
        }
        try {
            return new PreprocessSpec(
                    size,
                    floats(cfgPath, cfg, "mean", PreprocessSpec.CLIP_MEAN),
                    floats(cfgPath, cfg, "std", PreprocessSpec.CLIP_STD),
                    Interpolation.parse(cfg.path("interpolation").asText("bicubic")),
                    ResizeMode.parse(resize),
                    PreprocessSpec.clip(size).maxPixels());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(cfgPath + ": " + e.getMessage(), e);
        }
    }

    private static ModelFolder openHuggingFace(Path root, Path vision, Path text, ModelLayout layout) {
        JsonNode config = readJsonIfPresent(root.resolve("config.json"));
        PreprocessSpec preprocess = null;
        if (vision != null) {
            Path cfgPath = root.resolve("preprocessor_config.json");
            JsonNode cfg = readJsonIfPresent(cfgPath);
            if (cfg == null) {
                throw new ModelLoadException(
                        cfgPath + " is missing: cannot tell how to preprocess images for " + root.relativize(vision));
            }
            preprocess = huggingFacePreprocess(cfgPath, cfg);
        }
        int context = DEFAULT_CONTEXT_LENGTH;
        Integer embedDim = null;
        if (config != null) {
            JsonNode ctx = config.path("text_config").path("max_position_embeddings");
            if (ctx.isInt()) {
                context = ctx.intValue();
            }
            if (config.path("projection_dim").isInt()) {
                embedDim = config.path("projection_dim").intValue();
            }
        }
        Path tokenizer = text == null ? null : existing(root.resolve("tokenizer.json"));
        return new ModelFolder(root, layout, vision, text, tokenizer, preprocess, context, embedDim);
    }

    private static PreprocessSpec huggingFacePreprocess(Path cfgPath, JsonNode cfg) {
        JsonNode sizeNode = cfg.path("size");
        int crop = cfg.path("do_center_crop").asBoolean(true) ? sizeOf(cfg.path("crop_size")) : -1;
        ResizeMode mode;
        int resize;
        if (sizeNode.has("shortest_edge")) {
            mode = ResizeMode.SHORTEST;
            resize = sizeNode.path("shortest_edge").intValue();
        } else if (sizeNode.has("height") || sizeNode.has("width")) {
            mode = ResizeMode.SQUASH;
            resize = sizeOf(sizeNode);
        } else {
            mode = ResizeMode.SHORTEST;
            resize = sizeNode.intValue();
        }
        if (resize <= 0) {
            throw new ModelLoadException(
                    cfgPath + ": size must declare shortest_edge or height/width, found " + sizeNode);
        }
        if (crop > 0 && crop != resize) {
            throw new ModelLoadException(cfgPath + ": resizing to " + resize + " then cropping to " + crop
                    + " is not supported; ClipStream resizes and crops to the same size, as CLIP does");
        }
        if (!cfg.path("do_normalize").asBoolean(true)) {
            throw new ModelLoadException(cfgPath + ": do_normalize=false is not supported");
        }
        JsonNode rescale = cfg.path("rescale_factor");
        if (rescale.isNumber() && Math.abs(rescale.doubleValue() - 1.0 / 255) > 1e-9) {
            throw new ModelLoadException(cfgPath + ": rescale_factor must be 1/255, found " + rescale);
        }
        try {
            return new PreprocessSpec(
                    resize,
                    floats(cfgPath, cfg, "image_mean", PreprocessSpec.CLIP_MEAN),
                    floats(cfgPath, cfg, "image_std", PreprocessSpec.CLIP_STD),
                    Interpolation.parse(cfg.path("resample").asText("3")),
                    mode,
                    PreprocessSpec.clip(resize).maxPixels());
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(cfgPath + ": " + e.getMessage(), e);
        }
    }

    private static int sizeOf(JsonNode node) {
        if (node.isInt()) {
            return node.intValue();
        }
        int h = node.path("height").asInt(-1);
        int w = node.path("width").asInt(-1);
        if (h != w) {
            return -1;
        }
        return h;
    }

    private static int firstInt(JsonNode node) {
        if (node.isInt()) {
            return node.intValue();
        }
        if (node.isArray() && node.size() > 0 && node.get(0).isInt()) {
            return node.get(0).intValue();
        }
        return -1;
    }

    private static float[] floats(Path file, JsonNode cfg, String field, float[] fallback) {
        JsonNode node = cfg.path(field);
        if (node.isMissingNode()) {
            return fallback.clone();
        }
        if (!node.isArray() || node.size() != 3) {
            throw new ModelLoadException(file + ": " + field + " must be an array of 3 numbers, found " + node);
        }
        float[] values = new float[3];
        for (int i = 0; i < 3; i++) {
            values[i] = (float) node.get(i).doubleValue();
        }
        return values;
    }

    private static JsonNode readJsonIfPresent(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static Path existing(Path file) {
        return Files.isRegularFile(file) ? file : null;
    }

    private static List<String> listOnnx(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".onnx"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<String> listTop(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = new ArrayList<>();
            files.sorted().limit(20).forEach(p -> names.add(p.getFileName() + (Files.isDirectory(p) ? "/" : "")));
            return names;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The folder, absolute. */
    public Path root() {
        return root;
    }

    /** The model's id in results: the folder's name (for example {@code ViT-B-32__openai}). */
    public String modelId() {
        return root.getFileName().toString();
    }

    /** The layout the folder was recognised as. */
    public ModelLayout layout() {
        return layout;
    }

    /** The image tower's graph, when the folder has one. */
    public Optional<Path> visualModel() {
        return Optional.ofNullable(visualModel);
    }

    /** The text tower's graph, when the folder has one (the same file as the image tower for combined exports). */
    public Optional<Path> textualModel() {
        return Optional.ofNullable(textualModel);
    }

    /** The Hugging Face {@code tokenizer.json} that goes with the text tower, when present. */
    public Optional<Path> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /**
     * How images are preprocessed for the image tower.
     *
     * @throws ModelLoadException when the folder has no image tower
     */
    public PreprocessSpec preprocess() {
        if (preprocess == null) {
            throw new ModelLoadException("model folder " + root + " has no image tower");
        }
        return preprocess;
    }

    /** The text context length (77 for OpenAI's models). */
    public int contextLength() {
        return contextLength;
    }

    /** The embedding width the folder declares, if it declares one. */
    public OptionalInt embedDim() {
        return embedDim == null ? OptionalInt.empty() : OptionalInt.of(embedDim);
    }

    /** A relative path for messages: {@code visual/model.onnx}. */
    String describe(Path file) {
        return root.getFileName() + "/" + root.relativize(file);
    }

    @Override
    public String toString() {
        return layout.id() + " model folder " + root;
    }
}
