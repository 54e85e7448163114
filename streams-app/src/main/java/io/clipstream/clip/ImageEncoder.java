package io.clipstream.clip;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.PreprocessSpec;
import io.clipstream.image.RgbImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLIP's image tower: preprocessed images in, L2-normalised embeddings out, in batches. Thread-safe; one instance
 * (one ONNX session) serves every stream thread.
 *
 * <p>Accepts the input forms real exports use: float32 or float16 {@code [N,3,S,S]} normalised pixels, and uint8
 * RGB {@code [N,S,S,3]} or {@code [N,3,S,S]} with the normalisation inside the graph. Graphs exported with a fixed
 * batch dimension are fed in chunks of that size.
 */
public final class ImageEncoder implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ImageEncoder.class);

    private enum InputForm {
        FLOAT_NCHW,
        FLOAT16_NCHW,
        UINT8_NCHW,
        UINT8_NHWC
    }

    private final TowerGraph graph;
    private final ImagePreprocessor preprocessor;
    private final String inputName;
    private final String outputName;
    private final InputForm form;
    private final int size;
    private final int dimension;
    private final int runBatch;
    private final int fixedBatch;
    private final TextInputs companionText;
    private final ConcurrentLinkedQueue<ByteBuffer> scratch = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ImageEncoder(
            TowerGraph graph,
            ImagePreprocessor preprocessor,
            String inputName,
            String outputName,
            InputForm form,
            int dimension,
            int runBatch,
            int fixedBatch,
            TextInputs companionText) {
        this.graph = graph;
        this.preprocessor = preprocessor;
        this.inputName = inputName;
        this.outputName = outputName;
        this.form = form;
        this.size = preprocessor.spec().size();
        this.dimension = dimension;
        this.runBatch = runBatch;
        this.fixedBatch = fixedBatch;
        this.companionText = companionText;
    }

    /**
     * Loads the folder's image tower and checks its signature against the folder's configuration.
     *
     * @throws ModelLoadException naming the file, what was expected and what the model has
     */
    public static ImageEncoder open(ModelFolder folder, InferenceOptions options) {
        var file = folder.visualModel()
                .orElseThrow(() -> new ModelLoadException("model folder " + folder.root()
                        + " has no image tower (visual/model.onnx or onnx/vision_model.onnx)"));
        PreprocessSpec spec = folder.preprocess();
        TowerGraph graph = new TowerGraph(OnnxSessions.acquire(file, options), folder.describe(file));
        try {
            return create(folder, options, spec, graph);
        } catch (RuntimeException e) {
            graph.close();
            throw e;
        }
    }

    private static ImageEncoder create(
            ModelFolder folder, InferenceOptions options, PreprocessSpec spec, TowerGraph graph) {
        int s = spec.size();
        String expected = "input image float32 [N,3," + s + "," + s + "] (or uint8 [N," + s + "," + s + ",3])";
        String inputName;
        String preferredOutput;
        TextInputs companion = null;
        switch (folder.layout()) {
            case OPEN_CLIP -> {
                inputName = graph.inputs().size() == 1
                        ? graph.inputs().keySet().iterator().next()
                        : "image";
                preferredOutput = null;
            }
            case HUGGING_FACE -> {
                inputName = "pixel_values";
                preferredOutput = "image_embeds";
                expected = "input pixel_values float32 [N,3," + s + "," + s + "]";
            }
            default -> {
                inputName = "pixel_values";
                preferredOutput = "image_embeds";
                expected = "inputs pixel_values float32 [N,3," + s + "," + s + "], input_ids, attention_mask";
                companion = TextInputs.of(graph, folder.contextLength());
            }
        }
        TensorInfo input = graph.input(inputName).orElse(null);
        if (input == null) {
            throw graph.mismatch("expected " + expected);
        }
        if (folder.layout() != ModelLayout.HUGGING_FACE_COMBINED) {
            graph.requireInputsWithin(Set.of(inputName), expected);
        }
        InputForm form = inputForm(input, s);
        if (form == null) {
            throw graph.mismatch("expected " + expected);
        }
        if (folder.layout() == ModelLayout.HUGGING_FACE_COMBINED
                && !graph.outputs().containsKey("image_embeds")) {
            throw graph.mismatch("expected output image_embeds");
        }
        String output = graph.outputOrFirst(preferredOutput);
        int width = graph.embeddingWidth(output, folder.embedDim());
        int fixedBatch = graph.fixedBatch(inputName);
        int runBatch = fixedBatch > 0 ? fixedBatch : options.maxBatchSize();
        if (fixedBatch > 0) {
            LOG.info(
                    "{} has a fixed batch dimension of {}: images are run {} at a time",
                    graph.name(),
                    fixedBatch,
                    fixedBatch);
        }
        ImageEncoder encoder = new ImageEncoder(
                graph, new ImagePreprocessor(spec), inputName, output, form, width, runBatch, fixedBatch, companion);
        if (width <= 0) {
            encoder = encoder.withProbedWidth();
        }
        if (folder.layout() == ModelLayout.HUGGING_FACE_COMBINED) {
            LOG.warn(
                    "{} holds both towers in one graph: every image batch also runs the text tower on one dummy"
                            + " text; export onnx/vision_model.onnx separately for speed",
                    graph.name());
        }
        return encoder;
    }

    private ImageEncoder withProbedWidth() {
        byte[] grey = new byte[size * size * 3];
        java.util.Arrays.fill(grey, (byte) 128);
        float[][] probe = embed(List.of(new RgbImage(size, size, grey)));
        return new ImageEncoder(
                graph, preprocessor, inputName, outputName, form, probe[0].length, runBatch, fixedBatch, companionText);
    }

    private static InputForm inputForm(TensorInfo info, int s) {
        long[] shape = info.getShape();
        if (shape.length != 4) {
            return null;
        }
        boolean nchw = dimMatches(shape[1], 3) && dimMatches(shape[2], s) && dimMatches(shape[3], s);
        boolean nhwc = dimMatches(shape[1], s) && dimMatches(shape[2], s) && dimMatches(shape[3], 3);
        if (info.type == OnnxJavaType.FLOAT && nchw) {
            return InputForm.FLOAT_NCHW;
        }
        if (info.type == OnnxJavaType.FLOAT16 && nchw) {
            return InputForm.FLOAT16_NCHW;
        }
        if (info.type == OnnxJavaType.UINT8 && shape[3] == 3 && nhwc) {
            return InputForm.UINT8_NHWC;
        }
        if (info.type == OnnxJavaType.UINT8 && shape[1] == 3 && nchw) {
            return InputForm.UINT8_NCHW;
        }
        return null;
    }

    private static boolean dimMatches(long dim, int expected) {
        return dim < 0 || dim == expected;
    }

    /** The preprocessing this tower expects, shared by every caller. */
    public ImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /** The embedding width. */
    public int dimension() {
        return dimension;
    }

    /** The input resolution in pixels. */
    public int imageSize() {
        return size;
    }

    /** The device the graph runs on. */
    public ExecutionDevice device() {
        return graph.device();
    }

    /** The batch size of one graph run: the fixed batch of the export, or the configured maximum. */
    public int batchSize() {
        return runBatch;
    }

    /**
     * Embeds preprocessed images ({@code size × size} RGB, as {@link ImagePreprocessor#preprocessPixels} gives).
     *
     * @return one L2-normalised embedding per image, in order
     */
    public float[][] embed(List<RgbImage> images) {
        if (closed.get()) {
            throw new IllegalStateException("image encoder for " + graph.name() + " is closed");
        }
        for (RgbImage image : images) {
            if (image.width() != size || image.height() != size) {
                throw new IllegalArgumentException(
                        "expected " + size + "x" + size + " pixels, got " + image.width() + "x" + image.height());
            }
        }
        float[][] embeddings = new float[images.size()][];
        for (int start = 0; start < images.size(); start += runBatch) {
            int count = Math.min(runBatch, images.size() - start);
            runChunk(images.subList(start, start + count), embeddings, start);
        }
        return embeddings;
    }

    private void runChunk(List<RgbImage> chunk, float[][] into, int offset) {
        int rows = fixedBatch > 0 ? fixedBatch : chunk.size();
        int pixels = size * size * 3;
        int bytes =
                switch (form) {
                    case FLOAT_NCHW -> rows * pixels * Float.BYTES;
                    case FLOAT16_NCHW -> rows * pixels * Short.BYTES;
                    default -> rows * pixels;
                };
        ByteBuffer buffer = borrow(bytes);
        try {
            fill(buffer, chunk, rows);
            long[] shape =
                    form == InputForm.UINT8_NHWC ? new long[] {rows, size, size, 3} : new long[] {rows, 3, size, size};
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            Map<String, OnnxTensor> feeds = new HashMap<>();
            try {
                feeds.put(
                        inputName,
                        switch (form) {
                            case FLOAT_NCHW -> OnnxTensor.createTensor(env, buffer.asFloatBuffer(), shape);
                            case FLOAT16_NCHW ->
                                OnnxTensor.createTensor(env, buffer.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
                            default -> OnnxTensor.createTensor(env, buffer, shape, OnnxJavaType.UINT8);
                        });
                if (companionText != null) {
                    companionText.addDummy(env, feeds);
                }
                try (OrtSession.Result result = graph.session().run(feeds, Set.of(outputName))) {
                    graph.readEmbeddings(result, outputName, chunk.size(), into, offset);
                }
            } finally {
                feeds.values().forEach(OnnxTensor::close);
            }
        } catch (OrtException e) {
            throw new InferenceException(graph.name() + ": inference failed: " + e.getMessage(), e);
        } finally {
            scratch.offer(buffer);
        }
    }

    private void fill(ByteBuffer buffer, List<RgbImage> chunk, int rows) {
        int plane = size * size;
        switch (form) {
            case FLOAT_NCHW -> {
                FloatBuffer floats = buffer.asFloatBuffer();
                for (RgbImage image : chunk) {
                    preprocessor.writeNormalized(image, floats);
                }
                while (floats.hasRemaining()) {
                    floats.put(0f);
                }
            }
            case FLOAT16_NCHW -> {
                float[] tmp = new float[3 * plane];
                ShortBuffer halves = buffer.asShortBuffer();
                for (RgbImage image : chunk) {
                    preprocessor.writeNormalized(image, FloatBuffer.wrap(tmp));
                    for (float v : tmp) {
                        halves.put(ai.onnxruntime.platform.Fp16Conversions.floatToFp16(v));
                    }
                }
                while (halves.hasRemaining()) {
                    halves.put((short) 0);
                }
            }
            case UINT8_NHWC -> {
                for (RgbImage image : chunk) {
                    buffer.put(image.pixels());
                }
                while (buffer.hasRemaining()) {
                    buffer.put((byte) 0);
                }
                buffer.flip();
            }
            case UINT8_NCHW -> {
                for (RgbImage image : chunk) {
                    byte[] px = image.pixels();
                    for (int c = 0; c < 3; c++) {
                        for (int i = 0; i < plane; i++) {
                            buffer.put(px[i * 3 + c]);
                        }
                    }
                }
                while (buffer.hasRemaining()) {
                    buffer.put((byte) 0);
                }
                buffer.flip();
            }
            default -> throw new IllegalStateException(form.name());
        }
        assert rows >= chunk.size();
    }

    private ByteBuffer borrow(int bytes) {
        ByteBuffer buffer = scratch.poll();
        if (buffer == null || buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        buffer.clear().limit(bytes);
        return buffer.slice().order(ByteOrder.nativeOrder());
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            graph.close();
        }
    }
}
