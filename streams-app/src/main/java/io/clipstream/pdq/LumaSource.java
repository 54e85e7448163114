package io.clipstream.pdq;

/**
 * An image as PDQ reads it: luminance rows, {@code 0.299 R + 0.587 G + 0.114 B} on the 0..255 scale. Rows are
 * pulled one at a time so that a large image is never held as a full float plane.
 */
public interface LumaSource {

    /** Width in pixels. */
    int width();

    /** Height in pixels. */
    int height();

    /** Writes the luminance of row {@code y} into {@code dst[0 .. width)}. */
    void row(int y, float[] dst);

    /**
     * The pixels themselves when the luminance is a linear mix of 8-bit interleaved channels (RGB, grey, alpha
     * ignored), which the hasher can then sum in integers; null otherwise (the default).
     */
    default InterleavedPixels interleaved() {
        return null;
    }

    /** Luminance of an interleaved 8-bit RGB image ({@code (y * width + x) * 3 + c}). */
    static LumaSource ofRgb(int width, int height, byte[] rgb) {
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes for " + width + "x"
                    + height + " RGB, got " + rgb.length);
        }
        return of(InterleavedPixels.rgb(rgb, width, height));
    }

    /** Luminance of interleaved 8-bit pixels. */
    static LumaSource of(InterleavedPixels pixels) {
        return new LumaSource() {
            @Override
            public int width() {
                return pixels.width();
            }

            @Override
            public int height() {
                return pixels.height();
            }

            @Override
            public void row(int y, float[] dst) {
                for (int x = 0; x < pixels.width(); x++) {
                    dst[x] = pixels.luma(x, y);
                }
            }

            @Override
            public InterleavedPixels interleaved() {
                return pixels;
            }
        };
    }

    /** The luminance of one RGB pixel. */
    static float luma(int r, int g, int b) {
        return 0.299f * r + 0.587f * g + 0.114f * b;
    }
}
