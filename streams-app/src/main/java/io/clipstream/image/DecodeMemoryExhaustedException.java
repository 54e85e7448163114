package io.clipstream.image;

/**
 * An image that fits the decode-memory budget waited too long for its share: other large images held it. Unlike
 * an {@link ImageRejectedException} this says nothing about the image itself, so it is worth another attempt.
 */
public final class DecodeMemoryExhaustedException extends RuntimeException {

    /** With the wait, the share and the budget in {@code message}. */
    public DecodeMemoryExhaustedException(String message) {
        super(message);
    }
}
