package io.clipstream.image;

/**
 * Ports of the Pillow 9.4 {@code libImaging/Convert.c} pixel conversions the reference pipeline uses, bit-exact.
 * All methods work in place or into a fresh RGB array on interleaved 8-bit data.
 */
final class PilColorConversions {
    private PilColorConversions() {}

    /** Pillow's {@code MULDIV255(a, b)}: {@code a * b / 255} rounded, in integers. */
    static int mulDiv255(int a, int b) {
        int tmp = a * b + 128;
        return ((tmp >> 8) + tmp) >> 8;
    }

    /**
     * {@code RGBA -> RGBa} / {@code LA -> La} ({@code rgbA2rgba}, {@code lA2la}): multiplies every colour band by
     * alpha (the last band), in place.
     */
    static void premultiply(byte[] px, int channels) {
        int colours = channels - 1;
        for (int p = 0; p < px.length; p += channels) {
            int a = px[p + colours] & 0xFF;
            for (int c = 0; c < colours; c++) {
                px[p + c] = (byte) mulDiv255(px[p + c] & 0xFF, a);
            }
        }
    }

    /**
     * {@code RGBa -> RGBA} / {@code La -> LA} ({@code rgba2rgbA}, {@code la2lA}): divides colour bands by alpha
     * unless alpha is 0 or 255, clipping to 255, in place.
     */
    static void unpremultiply(byte[] px, int channels) {
        int colours = channels - 1;
        for (int p = 0; p < px.length; p += channels) {
            int a = px[p + colours] & 0xFF;
            if (a == 0 || a == 255) {
                continue;
            }
            for (int c = 0; c < colours; c++) {
                int v = (255 * (px[p + c] & 0xFF)) / a;
                px[p + c] = (byte) Math.min(v, 255);
            }
        }
    }

    /** {@code convert("RGB")} of interleaved pixels of the given mode (8-bit modes only). */
    static byte[] toRgb(PilMode mode, byte[] px) {
        switch (mode) {
            case RGB:
                return px;
            case L: {
                byte[] out = new byte[px.length * 3];
                for (int i = 0, o = 0; i < px.length; i++, o += 3) {
                    byte v = px[i];
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                }
                return out;
            }
            case LA: {
                int n = px.length / 2;
                byte[] out = new byte[n * 3];
                for (int i = 0; i < n; i++) {
                    byte v = px[i * 2];
                    out[i * 3] = v;
                    out[i * 3 + 1] = v;
                    out[i * 3 + 2] = v;
                }
                return out;
            }
            case RGBA: {
                int n = px.length / 4;
                byte[] out = new byte[n * 3];
                for (int i = 0; i < n; i++) {
                    out[i * 3] = px[i * 4];
                    out[i * 3 + 1] = px[i * 4 + 1];
                    out[i * 3 + 2] = px[i * 4 + 2];
                }
                return out;
            }
            case CMYK:
                return cmykToRgb(px);
            default:
                throw new IllegalArgumentException("not an 8-bit mode: " + mode);
        }
    }

    /** Pillow's {@code cmyk2rgb}: {@code nk = 255 - K; R = nk - MULDIV255(C, nk)} and likewise for G, B. */
    static byte[] cmykToRgb(byte[] px) {
        int n = px.length / 4;
        byte[] out = new byte[n * 3];
        for (int i = 0; i < n; i++) {
            int nk = 255 - (px[i * 4 + 3] & 0xFF);
            for (int c = 0; c < 3; c++) {
                int v = nk - mulDiv255(px[i * 4 + c] & 0xFF, nk);
                out[i * 3 + c] = (byte) (v < 0 ? 0 : Math.min(v, 255));
            }
        }
        return out;
    }

    /** Pillow's {@code i2rgb}: 32-bit grey clipped to 0..255 and replicated. */
    static byte[] intGreyToRgb(int[] px) {
        byte[] out = new byte[px.length * 3];
        for (int i = 0; i < px.length; i++) {
            int v = px[i];
            byte b = (byte) (v <= 0 ? 0 : Math.min(v, 255));
            out[i * 3] = b;
            out[i * 3 + 1] = b;
            out[i * 3 + 2] = b;
        }
        return out;
    }
}
