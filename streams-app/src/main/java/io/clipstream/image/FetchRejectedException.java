package io.clipstream.image;

import java.util.Objects;

/**
 * Thrown when {@link ImageFetcher} refuses or fails to fetch an image reference; {@link #reason()} says why. The
 * message starts with the reason code and never contains the URI's query string (which may hold signed tokens).
 */
public final class FetchRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final FetchRejectionReason reason;

    /** Creates a rejection with a human-readable detail message. */
    public FetchRejectedException(FetchRejectionReason reason, String message) {
        super(Objects.requireNonNull(reason, "reason").code() + ": " + message);
        this.reason = reason;
    }

    /** Creates a rejection wrapping the failure that caused it. */
    public FetchRejectedException(FetchRejectionReason reason, String message, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason").code() + ": " + message, cause);
        this.reason = reason;
    }

    /** Why the fetch was refused or failed. */
    public FetchRejectionReason reason() {
        return reason;
    }
}
