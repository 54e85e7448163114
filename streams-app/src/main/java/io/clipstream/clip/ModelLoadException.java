package io.clipstream.clip;

/**
 * A model folder, an ONNX session or an execution provider that cannot be used. Thrown at start-up, with one message
 * that names the file at fault, what was expected and what was found.
 */
public final class ModelLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
