package io.clipstream.image;

import java.util.Objects;

/**
 * Thrown when an encoded image cannot or must not be preprocessed; {@link #reason()} says why. Subclasses say more
 * where a caller must tell failures apart ({@link TruncatedImageException}).
 */
public class ImageRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final RejectionReason reason;

    /** Creates a rejection with a human-readable detail message. */
    public ImageRejectedException(RejectionReason reason, String message) {
        super(reason.code() + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Creates a rejection wrapping the decoder failure that caused it. */
    public ImageRejectedException(RejectionReason reason, String message, Throwable cause) {
        super(reason.code() + ": " + message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the image was rejected. */
    public RejectionReason reason() {
        return reason;
    }
}
