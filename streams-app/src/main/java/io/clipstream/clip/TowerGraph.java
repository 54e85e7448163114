package io.clipstream.clip;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * One tower's ONNX graph with its inputs and outputs described, shared through {@link OnnxSessions}. Holds what both
 * encoders need: input/output look-up with messages that say what the model really has, and embedding read-out.
 */
final class TowerGraph implements AutoCloseable {

    private final OnnxSessions.Handle handle;
    private final String name;
    private final Map<String, TensorInfo> inputs;
    private final Map<String, TensorInfo> outputs;
    private final AtomicBoolean closed = new AtomicBoolean();

    TowerGraph(OnnxSessions.Handle handle, String name) {
        this.handle = handle;
        this.name = name;
        try {
            this.inputs = tensorInfos(handle.session().getInputInfo(), "input");
            this.outputs = tensorInfos(handle.session().getOutputInfo(), "output");
        } catch (OrtException e) {
            handle.close();
            throw new ModelLoadException(name + ": cannot read the graph's inputs and outputs: " + e.getMessage(), e);
        } catch (ModelLoadException e) {
            handle.close();
            throw e;
        }
    }

    private Map<String, TensorInfo> tensorInfos(Map<String, NodeInfo> nodes, String what) {
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (Map.Entry<String, NodeInfo> node : nodes.entrySet()) {
            if (!(node.getValue().getInfo() instanceof TensorInfo info)) {
                throw new ModelLoadException(name + ": " + what + " '" + node.getKey() + "' is not a tensor ("
                        + node.getValue().getInfo() + ")");
            }
            infos.put(node.getKey(), info);
        }
        return infos;
    }

    String name() {
        return name;
    }

    OrtSession session() {
        return handle.session();
    }

    ExecutionDevice device() {
        return handle.device();
    }

    Map<String, TensorInfo> inputs() {
        return inputs;
    }

    Map<String, TensorInfo> outputs() {
        return outputs;
    }

    Optional<TensorInfo> input(String inputName) {
        return Optional.ofNullable(inputs.get(inputName));
    }

    /** Fails unless the graph's inputs are exactly {@code expected}, saying what it has. */
    void requireInputsWithin(Set<String> expected, String wanted) {
        for (String input : inputs.keySet()) {
            if (!expected.contains(input)) {
                throw mismatch("expected " + wanted);
            }
        }
    }

    /** The output called {@code preferred}, or else the first output. */
    String outputOrFirst(String preferred) {
        if (preferred != null && outputs.containsKey(preferred)) {
            return preferred;
        }
        return outputs.keySet().iterator().next();
    }

    /**
     * Checks an embedding output: float (or float16) of shape [N, D]; returns D when static, else -1.
     */
    int embeddingWidth(String output, String wanted) {
        TensorInfo info = outputs.get(output);
        if (info == null) {
            throw mismatch("expected output " + wanted);
        }
        long[] shape = info.getShape();
        boolean floatType = info.type == OnnxJavaType.FLOAT || info.type == OnnxJavaType.FLOAT16;
        if (!floatType || shape.length != 2) {
            throw mismatch("expected output " + wanted);
        }
        return (int) shape[1];
    }

    /**
     * {@link #embeddingWidth} of {@code output}, checked against the width the folder's config declares (when it
     * declares one and the graph's is static).
     */
    int embeddingWidth(String output, java.util.OptionalInt declared) {
        int width = embeddingWidth(output, "embedding float32 [N,D]");
        if (declared.isPresent() && width > 0 && width != declared.getAsInt()) {
            throw mismatch("the folder's config declares embedding width " + declared.getAsInt() + " but output "
                    + output + " is " + shape(outputs.get(output).getShape()));
        }
        return width;
    }

    /** The fixed batch dimension of {@code input} (graphs exported for a fixed batch), or 0 when it is dynamic. */
    int fixedBatch(String input) {
        long batch = inputs.get(input).getShape()[0];
        return batch > 0 ? (int) batch : 0;
    }

    ModelLoadException mismatch(String expected) {
        return new ModelLoadException(name + ": " + expected + "; the model has inputs " + describe(inputs)
                + " and outputs " + describe(outputs));
    }

    static String describe(Map<String, TensorInfo> infos) {
        return infos.entrySet().stream()
                .map(e -> e.getKey() + " " + typeName(e.getValue().type) + " "
                        + shape(e.getValue().getShape()))
                .collect(Collectors.joining(", ", "[", "]"));
    }

    static String typeName(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> "float32";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            case DOUBLE -> "float64";
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case INT16 -> "int16";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case BOOL -> "bool";
            case STRING -> "string";
            default -> type.name();
        };
    }

    static String shape(long[] dims) {
        return Arrays.stream(dims)
                .mapToObj(d -> d < 0 ? "?" : Long.toString(d))
                .collect(Collectors.joining(",", "[", "]"));
    }

    /**
     * Reads {@code rows} embeddings of width {@code width} from the output, L2-normalised; rows past {@code rows}
     * (padding for fixed-batch graphs) are ignored.
     */
    float[][] readEmbeddings(OrtSession.Result result, String output, int rows, float[][] into, int offset) {
        Optional<OnnxValue> value = result.get(output);
        if (value.isEmpty() || !(value.get() instanceof OnnxTensor tensor)) {
            throw new IllegalStateException(name + ": output " + output + " missing from the result");
        }
        long[] shape = tensor.getInfo().getShape();
        if (shape.length != 2 || shape[0] < rows) {
            throw new IllegalStateException(
                    name + ": output " + output + " has shape " + shape(shape) + ", expected [" + rows + ",D]");
        }
        int width = (int) shape[1];
        FloatBuffer floats = tensor.getInfo().type == OnnxJavaType.FLOAT16
                ? Fp16Conversions.convertFp16BufferToFloatBuffer(tensor.getShortBuffer())
                : tensor.getFloatBuffer();
        for (int row = 0; row < rows; row++) {
            float[] embedding = new float[width];
            floats.get(row * width, embedding);
            into[offset + row] = Embeddings.l2Normalize(embedding);
        }
        return into;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            handle.close();
        }
    }
}
