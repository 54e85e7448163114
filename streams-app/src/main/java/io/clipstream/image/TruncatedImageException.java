package io.clipstream.image;

/**
 * The data of a recognised format ends early (libjpeg's "premature end of data", a missing EOI): {@code CORRUPT},
 * and final, since another reader of the same format will not find the missing bytes either.
 */
public final class TruncatedImageException extends ImageRejectedException {
    private static final long serialVersionUID = 1L;

    /** A truncation the decoder reported as {@code warning}. */
    public TruncatedImageException(ImageFormat format, String warning) {
        super(RejectionReason.CORRUPT, format + " data is truncated (" + warning + ")");
    }
}
