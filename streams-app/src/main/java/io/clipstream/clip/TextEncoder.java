package io.clipstream.clip;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * CLIP's text tower with its tokenizer: texts in, L2-normalised embeddings out, in batches. Thread-safe. Used to
 * compile label sets, never on the streaming hot path.
 */
public final class TextEncoder implements AutoCloseable {

    private final TowerGraph graph;
    private final ClipTokenizer tokenizer;
    private final TextInputs inputs;
    private final String outputName;
    private final int runBatch;
    private final int fixedBatch;
    private final int dummyImageSize;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TextEncoder(
            TowerGraph graph,
            ClipTokenizer tokenizer,
            TextInputs inputs,
            String outputName,
            int runBatch,
            int fixedBatch,
            int dummyImageSize) {
        this.graph = graph;
        this.tokenizer = tokenizer;
        this.inputs = inputs;
        this.outputName = outputName;
        this.runBatch = runBatch;
        this.fixedBatch = fixedBatch;
        this.dummyImageSize = dummyImageSize;
    }

    /**
     * Loads the folder's text tower and tokenizer and checks the graph's signature.
     *
     * @throws ModelLoadException naming the file, what was expected and what the model has
     */
    public static TextEncoder open(ModelFolder folder, InferenceOptions options) {
        Path file = folder.textualModel()
                .orElseThrow(() -> new ModelLoadException("model folder " + folder.root()
                        + " has no text tower (textual/model.onnx or onnx/text_model.onnx)"));
        Path tokenizerFile = folder.tokenizer()
                .orElseThrow(() -> new ModelLoadException("model folder "
                        + folder.root() + " has no tokenizer.json for its text tower (expected "
                        + (folder.layout() == ModelLayout.OPEN_CLIP ? "textual/tokenizer.json" : "tokenizer.json")
                        + ")"));
        TowerGraph graph = new TowerGraph(OnnxSessions.acquire(file, options), folder.describe(file));
        ClipTokenizer tokenizer = null;
        try {
            TextInputs inputs = TextInputs.of(graph, folder.contextLength());
            Set<String> allowed = new HashSet<>(Set.of(inputs.idsName()));
            if (inputs.maskName() != null) {
                allowed.add(inputs.maskName());
            }
            int dummyImageSize = 0;
            String preferred = null;
            if (folder.layout() == ModelLayout.HUGGING_FACE_COMBINED) {
                allowed.add("pixel_values");
                dummyImageSize = folder.preprocess().size();
                preferred = "text_embeds";
                if (!graph.outputs().containsKey(preferred)) {
                    throw graph.mismatch("expected output text_embeds");
                }
            } else if (folder.layout() == ModelLayout.HUGGING_FACE) {
                preferred = "text_embeds";
            }
            graph.requireInputsWithin(allowed, "inputs " + allowed);
            String output = graph.outputOrFirst(preferred);
            graph.embeddingWidth(output, folder.embedDim());
            int fixedBatch = graph.fixedBatch(inputs.idsName());
            tokenizer = ClipTokenizer.load(tokenizerFile, folder.contextLength());
            return new TextEncoder(
                    graph,
                    tokenizer,
                    inputs,
                    output,
                    fixedBatch > 0 ? fixedBatch : options.maxBatchSize(),
                    fixedBatch,
                    dummyImageSize);
        } catch (RuntimeException e) {
            graph.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /** The tokenizer, for callers that show token ids. */
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** The device the graph runs on. */
    public ExecutionDevice device() {
        return graph.device();
    }

    /** Tokenizes and embeds texts; one L2-normalised embedding per text, in order. */
    public float[][] embed(List<String> texts) {
        return embedTokens(tokenizer.tokenize(texts));
    }

    /** Embeds already tokenized texts. */
    public float[][] embedTokens(List<ClipTokenizer.Tokens> tokens) {
        if (closed.get()) {
            throw new IllegalStateException("text encoder for " + graph.name() + " is closed");
        }
        float[][] out = new float[tokens.size()][];
        for (int start = 0; start < tokens.size(); start += runBatch) {
            List<ClipTokenizer.Tokens> chunk = tokens.subList(start, Math.min(tokens.size(), start + runBatch));
            int[][] ids = new int[chunk.size()][];
            int[] lengths = new int[chunk.size()];
            for (int i = 0; i < chunk.size(); i++) {
                ids[i] = chunk.get(i).ids();
                lengths[i] = chunk.get(i).length();
            }
            run(ids, lengths, out, start);
        }
        return out;
    }

    private void run(int[][] ids, int[] lengths, float[][] out, int offset) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            inputs.add(env, feeds, ids, lengths, fixedBatch > 0 ? fixedBatch : ids.length);
            if (dummyImageSize > 0) {
                int floats = 3 * dummyImageSize * dummyImageSize;
                feeds.put(
                        "pixel_values",
                        OnnxTensor.createTensor(
                                env,
                                ByteBuffer.allocateDirect(floats * Float.BYTES)
                                        .order(ByteOrder.nativeOrder())
                                        .asFloatBuffer(),
                                new long[] {1, 3, dummyImageSize, dummyImageSize}));
            }
            try (OrtSession.Result result = graph.session().run(feeds, Set.of(outputName))) {
                graph.readEmbeddings(result, outputName, ids.length, out, offset);
            }
        } catch (OrtException e) {
            throw new InferenceException(graph.name() + ": inference failed: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            graph.close();
            tokenizer.close();
        }
    }
}
