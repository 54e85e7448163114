package io.clipstream.clip;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * The token inputs of a text graph: the id tensor ({@code text} or {@code input_ids}, int32 or int64
 * {@code [N, context]}) and an optional {@code attention_mask}, each in the element type the graph declares.
 */
final class TextInputs {

    private final String idsName;
    private final OnnxJavaType idsType;
    private final String maskName;
    private final OnnxJavaType maskType;
    private final int context;

    private TextInputs(String idsName, OnnxJavaType idsType, String maskName, OnnxJavaType maskType, int context) {
        this.idsName = idsName;
        this.idsType = idsType;
        this.maskName = maskName;
        this.maskType = maskType;
        this.context = context;
    }

    /** Finds and checks the token inputs, failing with what the graph really has. */
    static TextInputs of(TowerGraph graph, int context) {
        String ids = graph.inputs().containsKey("input_ids")
                ? "input_ids"
                : graph.inputs().containsKey("text")
                        ? "text"
                        : graph.inputs().size() == 1
                                ? graph.inputs().keySet().iterator().next()
                                : null;
        String expected = "input text or input_ids int32/int64 [N," + context + "] (+ optional attention_mask)";
        if (ids == null) {
            throw graph.mismatch("expected " + expected);
        }
        TensorInfo idsInfo = graph.inputs().get(ids);
        if (!tokenTensor(idsInfo, context)) {
            throw graph.mismatch("expected " + expected);
        }
        TensorInfo maskInfo = graph.inputs().get("attention_mask");
        if (maskInfo != null && !tokenTensor(maskInfo, context)) {
            throw graph.mismatch("expected attention_mask int32/int64 [N," + context + "]");
        }
        return new TextInputs(
                ids,
                idsInfo.type,
                maskInfo == null ? null : "attention_mask",
                maskInfo == null ? null : maskInfo.type,
                context);
    }

    private static boolean tokenTensor(TensorInfo info, int context) {
        long[] shape = info.getShape();
        boolean intType = info.type == OnnxJavaType.INT32 || info.type == OnnxJavaType.INT64;
        return intType && shape.length == 2 && (shape[1] < 0 || shape[1] == context);
    }

    String idsName() {
        return idsName;
    }

    String maskName() {
        return maskName;
    }

    int context() {
        return context;
    }

    /**
     * Adds the id (and mask) tensors for {@code rows} rows of {@code context} ids each; rows past the given ones
     * are zero padding for fixed-batch graphs. The mask covers each row's {@code lengths} tokens (id 0 is a real
     * token in CLIP's vocabulary, so the mask cannot be derived from the ids).
     */
    void add(OrtEnvironment env, Map<String, OnnxTensor> feeds, int[][] ids, int[] lengths, int rows)
            throws OrtException {
        long[] shape = {rows, context};
        feeds.put(idsName, tensor(env, idsType, shape, ids, lengths, rows, false));
        if (maskName != null) {
            feeds.put(maskName, tensor(env, maskType, shape, ids, lengths, rows, true));
        }
    }

    /**
     * Adds a one-row text of one token (id 0, which every vocabulary has), for combined graphs that are run for
     * their image tower only.
     */
    void addDummy(OrtEnvironment env, Map<String, OnnxTensor> feeds) throws OrtException {
        add(env, feeds, new int[1][context], new int[] {1}, 1);
    }

    private OnnxTensor tensor(
            OrtEnvironment env, OnnxJavaType type, long[] shape, int[][] ids, int[] lengths, int rows, boolean mask)
            throws OrtException {
        int[] flat = new int[rows * context];
        for (int r = 0; r < Math.min(rows, ids.length); r++) {
            for (int i = 0; i < context; i++) {
                flat[r * context + i] = mask ? (i < lengths[r] ? 1 : 0) : ids[r][i];
            }
        }
        if (type == OnnxJavaType.INT64) {
            LongBuffer buffer = ByteBuffer.allocateDirect(flat.length * Long.BYTES)
                    .order(ByteOrder.nativeOrder())
                    .asLongBuffer();
            for (int v : flat) {
                buffer.put(v);
            }
            return OnnxTensor.createTensor(env, buffer.flip(), shape);
        }
        IntBuffer buffer = ByteBuffer.allocateDirect(flat.length * Integer.BYTES)
                .order(ByteOrder.nativeOrder())
                .asIntBuffer();
        return OnnxTensor.createTensor(env, buffer.put(flat).flip(), shape);
    }
}
