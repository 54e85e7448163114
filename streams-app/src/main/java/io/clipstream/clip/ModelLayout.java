package io.clipstream.clip;

/** The folder layouts in which CLIP exports are published. */
public enum ModelLayout {
    /**
     * open_clip / Immich: {@code config.json}, {@code visual/model.onnx} with {@code visual/preprocess_cfg.json},
     * {@code textual/model.onnx} with {@code textual/tokenizer.json}.
     */
    OPEN_CLIP("open_clip"),
    /**
     * Hugging Face Optimum / transformers.js with one graph per tower: {@code onnx/vision_model.onnx},
     * {@code onnx/text_model.onnx}, {@code preprocessor_config.json}, {@code tokenizer.json}.
     */
    HUGGING_FACE("hugging_face"),
    /** Hugging Face with both towers in one graph: {@code onnx/model.onnx}. */
    HUGGING_FACE_COMBINED("hugging_face_combined");

    private final String id;

    ModelLayout(String id) {
        this.id = id;
    }

    /** The name used in logs and JSON output. */
    public String id() {
        return id;
    }
}
