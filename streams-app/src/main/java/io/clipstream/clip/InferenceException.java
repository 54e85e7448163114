package io.clipstream.clip;

/** A graph run that failed at inference time (as opposed to a model that failed to load). */
public final class InferenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public InferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
