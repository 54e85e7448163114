package io.clipstream.clip;

import java.util.Locale;

/**
 * Where ONNX Runtime runs the graphs: {@code cpu}, or {@code cuda} / {@code cuda:N} for the N-th CUDA device.
 *
 * @param kind CPU or CUDA
 * @param index the CUDA device index (0 for the CPU)
 */
public record ExecutionDevice(Kind kind, int index) {

    /** The execution provider family. */
    public enum Kind {
        CPU,
        CUDA
    }

    /** The CPU. */
    public static final ExecutionDevice CPU = new ExecutionDevice(Kind.CPU, 0);

    public ExecutionDevice {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, found " + index);
        }
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static ExecutionDevice parse(String text) {
        String s = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda") || s.equals("gpu")) {
            return new ExecutionDevice(Kind.CUDA, 0);
        }
        if (s.startsWith("cuda:")) {
            try {
                return new ExecutionDevice(Kind.CUDA, Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
        }
        throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, found '" + text + "'");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
