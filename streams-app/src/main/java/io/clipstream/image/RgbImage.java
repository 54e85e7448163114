package io.clipstream.image;

import java.util.Objects;

/**
 * An 8-bit RGB image, pixels interleaved row-major (HWC): {@code pixels[(y * width + x) * 3 + c]}.
 * The array is not copied; treat it as read-only once shared.
 */
public record RgbImage(int width, int height, byte[] pixels) {
    /** Validates that the array holds exactly {@code width * height * 3} bytes. */
    public RgbImage {
        Objects.requireNonNull(pixels, "pixels");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("width and height must be positive: " + width + "x" + height);
        }
        if ((long) width * height * 3 != pixels.length) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes for " + width + "x"
                    + height + " RGB, got " + pixels.length);
        }
    }
}
