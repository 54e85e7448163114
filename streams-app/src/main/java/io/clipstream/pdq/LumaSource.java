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
     * Weighted sums of row {@code y}'s luminance: {@code out[offset + i] = sum_k weights[i][k] * luma(start[i] + k)}
     * for each {@code i}. The default computes the row into {@code scratch} (width floats) first; a source that can
     * compute luminance on the fly may fuse the two.
     */
    default void weightedRow(int y, int[] start, float[][] weights, float[] scratch, float[] out, int offset) {
        row(y, scratch);
        for (int i = 0; i < start.length; i++) {
            float[] w = weights[i];
            int base = start[i];
            float s0 = 0f;
            float s1 = 0f;
            int k = 0;
            for (; k + 1 < w.length; k += 2) {
                s0 += w[k] * scratch[base + k];
                s1 += w[k + 1] * scratch[base + k + 1];
            }
            for (; k < w.length; k++) {
                s0 += w[k] * scratch[base + k];
            }
            out[offset + i] = s0 + s1;
        }
    }

    /** Luminance of an interleaved 8-bit RGB image ({@code (y * width + x) * 3 + c}). */
    static LumaSource ofRgb(int width, int height, byte[] rgb) {
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " bytes for " + width + "x"
                    + height + " RGB, got " + rgb.length);
        }
        return new LumaSource() {
            @Override
            public int width() {
                return width;
            }

            @Override
            public int height() {
                return height;
            }

            @Override
            public void row(int y, float[] dst) {
                Luma.rgbRow(rgb, y * width * 3, 3, width, dst);
            }
        };
    }

    /** The luminance of one RGB pixel. */
    static float luma(int r, int g, int b) {
        return Luma.R[r] + Luma.G[g] + Luma.B[b];
    }

    /** Per-channel tables: three loads and two adds per pixel, the same floats as the products they replace. */
    final class Luma {
        private static final float[] R = table(0.299f);
        private static final float[] G = table(0.587f);
        private static final float[] B = table(0.114f);

        private Luma() {}

        private static float[] table(float coefficient) {
            float[] t = new float[256];
            for (int v = 0; v < 256; v++) {
                t[v] = coefficient * v;
            }
            return t;
        }

        /**
         * {@link LumaSource#weightedRow} over interleaved RGB pixels ({@code stride} bytes apart from {@code offset}),
         * the luminance computed as it is summed.
         */
        public static void weightedRgbRow(
                byte[] px, int offset, int stride, int[] start, float[][] weights, float[] out, int outOffset) {
            float[] r = R;
            float[] g = G;
            float[] b = B;
            for (int i = 0; i < start.length; i++) {
                float[] w = weights[i];
                int p = offset + start[i] * stride;
                float s0 = 0f;
                float s1 = 0f;
                int k = 0;
                for (; k + 1 < w.length; k += 2, p += 2 * stride) {
                    s0 += w[k] * (r[px[p] & 0xFF] + g[px[p + 1] & 0xFF] + b[px[p + 2] & 0xFF]);
                    int q = p + stride;
                    s1 += w[k + 1] * (r[px[q] & 0xFF] + g[px[q + 1] & 0xFF] + b[px[q + 2] & 0xFF]);
                }
                for (; k < w.length; k++, p += stride) {
                    s0 += w[k] * (r[px[p] & 0xFF] + g[px[p + 1] & 0xFF] + b[px[p + 2] & 0xFF]);
                }
                out[outOffset + i] = s0 + s1;
            }
        }

        /**
         * The luminance of {@code width} interleaved pixels starting at {@code offset}, {@code stride} bytes apart,
         * R, G, B first in each.
         */
        public static void rgbRow(byte[] px, int offset, int stride, int width, float[] dst) {
            float[] r = R;
            float[] g = G;
            float[] b = B;
            for (int x = 0, p = offset; x < width; x++, p += stride) {
                dst[x] = r[px[p] & 0xFF] + g[px[p + 1] & 0xFF] + b[px[p + 2] & 0xFF];
            }
        }
    }
}
