package io.clipstream.image;

/**
 * Why an image was rejected. The {@link #code()} strings are stable and may be used in metrics, dead-letter
 * records and API responses; never rename them.
 */
public enum RejectionReason {
    /** {@code "EMPTY"}: the payload is null or has zero bytes. */
    EMPTY("EMPTY"),
    /** {@code "UNKNOWN_FORMAT"}: the magic bytes match none of JPEG, PNG, GIF, BMP, WebP or TIFF. */
    UNKNOWN_FORMAT("UNKNOWN_FORMAT"),
    /**
     * {@code "TOO_MANY_PIXELS"}: the header declares more pixels (width × height) than
     * {@link PreprocessSpec#maxPixels()}; detected before any pixel data is decoded.
     */
    TOO_MANY_PIXELS("TOO_MANY_PIXELS"),
    /** {@code "CORRUPT"}: the format was recognised but the data is truncated, malformed or undecodable. */
    CORRUPT("CORRUPT"),
    /**
     * {@code "UNSUPPORTED"}: a well-formed image of a recognised format using a feature we cannot decode
     * (for example an exotic TIFF photometric interpretation or sample layout).
     */
    UNSUPPORTED("UNSUPPORTED"),
    /**
     * {@code "OVER_MEMORY_BUDGET"}: the decoded size read from the header is larger than the whole decode-memory
     * budget, so the image could not be decoded even alone; detected before any pixel data is decoded.
     */
    OVER_MEMORY_BUDGET("OVER_MEMORY_BUDGET");

    private final String code;

    RejectionReason(String code) {
        this.code = code;
    }

    /** The stable machine-readable code. */
    public String code() {
        return code;
    }
}
