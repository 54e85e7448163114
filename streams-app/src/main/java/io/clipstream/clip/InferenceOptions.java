package io.clipstream.clip;

/**
 * How the ONNX graphs are run.
 *
 * @param device where to run ({@code cpu} or {@code cuda:N})
 * @param cudaFallbackToCpu when CUDA is asked for but cannot be loaded: run on the CPU (true) or fail at start-up
 * @param intraOpThreads threads ONNX Runtime uses inside one operator; 0 lets ONNX Runtime choose (one per core)
 * @param allowSpinning whether idle intra-op threads spin; off by default, since spinning threads steal shared
 *     cores from decoding and from other stream threads
 * @param maxBatchSize the most images or texts sent to the graph in one run
 */
public record InferenceOptions(
        ExecutionDevice device,
        boolean cudaFallbackToCpu,
        int intraOpThreads,
        boolean allowSpinning,
        int maxBatchSize) {

    public InferenceOptions {
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be >= 0, found " + intraOpThreads);
        }
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max batch size must be >= 1, found " + maxBatchSize);
        }
    }

    /** CPU, ONNX Runtime's thread count, spinning off, batches of up to 32. */
    public static InferenceOptions defaults() {
        return new InferenceOptions(ExecutionDevice.CPU, false, 0, false, 32);
    }

    /** A copy running on {@code newDevice}. */
    public InferenceOptions withDevice(ExecutionDevice newDevice) {
        return new InferenceOptions(newDevice, cudaFallbackToCpu, intraOpThreads, allowSpinning, maxBatchSize);
    }

    /** A copy with {@code threads} intra-op threads. */
    public InferenceOptions withIntraOpThreads(int threads) {
        return new InferenceOptions(device, cudaFallbackToCpu, threads, allowSpinning, maxBatchSize);
    }

    /** A copy sending at most {@code size} items per run. */
    public InferenceOptions withMaxBatchSize(int size) {
        return new InferenceOptions(device, cudaFallbackToCpu, intraOpThreads, allowSpinning, size);
    }
}
