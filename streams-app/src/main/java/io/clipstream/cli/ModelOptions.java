package io.clipstream.cli;

import io.clipstream.clip.ExecutionDevice;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that say which model folder to load and how to run it, shared by the model commands. */
final class ModelOptions {

    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR",
            description = "CLIP model folder (open_clip/Immich or Hugging Face layout).")
    Path model;

    @Option(
            names = "--device",
            paramLabel = "DEVICE",
            defaultValue = "cpu",
            description = "cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--cpu-fallback", description = "Run on the CPU when CUDA cannot be loaded instead of failing.")
    boolean cpuFallback;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "ONNX Runtime intra-op threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "32",
            description = "Most images or texts per inference run (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--variant",
            paramLabel = "NAME",
            defaultValue = "",
            description = "Hugging Face graph variant: fp16, quantized, ... (default: full precision).")
    String variant;

    InferenceOptions inference() {
        return new InferenceOptions(ExecutionDevice.parse(device), cpuFallback, threads, false, batchSize);
    }

    ModelFolder folder() {
        return ModelFolder.open(model, variant);
    }
}
