package io.clipstream.image;

import io.clipstream.pdq.LumaSource;

/**
 * The luminance of a decoded image in any {@link PilMode}, row by row, as {@code convert("RGB")} would give it:
 * alpha ignored, CMYK through Pillow's {@code cmyk2rgb}, 32-bit grey clipped to 0..255.
 */
final class DecodedLuma implements LumaSource {

    private final DecodedImage image;

    DecodedLuma(DecodedImage image) {
        this.image = image;
    }

    @Override
    public int width() {
        return image.width();
    }

    @Override
    public int height() {
        return image.height();
    }

    @Override
    public void row(int y, float[] dst) {
        int w = image.width();
        PilMode mode = image.mode();
        if (mode == PilMode.I) {
            int[] px = image.ints();
            for (int x = 0, p = y * w; x < w; x++, p++) {
                int v = px[p];
                dst[x] = v <= 0 ? 0 : Math.min(v, 255);
            }
            return;
        }
        byte[] px = image.bytes();
        int channels = mode.channels;
        int p = y * w * channels;
        switch (mode) {
            case L, LA -> {
                for (int x = 0; x < w; x++, p += channels) {
                    dst[x] = px[p] & 0xFF;
                }
            }
            case RGB -> LumaSource.Luma.rgbRow(px, p, 3, w, dst);
            case RGBA -> LumaSource.Luma.rgbRow(px, p, 4, w, dst);
            case CMYK -> {
                for (int x = 0; x < w; x++, p += 4) {
                    int nk = 255 - (px[p + 3] & 0xFF);
                    dst[x] = LumaSource.luma(
                            cmyk(px[p] & 0xFF, nk), cmyk(px[p + 1] & 0xFF, nk), cmyk(px[p + 2] & 0xFF, nk));
                }
            }
            default -> throw new IllegalStateException("unexpected mode " + mode);
        }
    }

    @Override
    public void weightedRow(int y, int[] start, float[][] weights, float[] scratch, float[] out, int offset) {
        PilMode mode = image.mode();
        if (mode == PilMode.RGB || mode == PilMode.RGBA) {
            LumaSource.Luma.weightedRgbRow(
                    image.bytes(), y * image.width() * mode.channels, mode.channels, start, weights, out, offset);
        } else {
            LumaSource.super.weightedRow(y, start, weights, scratch, out, offset);
        }
    }

    private static int cmyk(int c, int nk) {
        int v = nk - PilColorConversions.mulDiv255(c, nk);
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
