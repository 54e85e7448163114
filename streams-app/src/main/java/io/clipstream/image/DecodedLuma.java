package io.clipstream.image;

import io.clipstream.pdq.InterleavedPixels;
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
        InterleavedPixels linear = interleaved();
        if (linear != null) {
            LumaSource.of(linear).row(y, dst);
            return;
        }
        int w = image.width();
        if (image.mode() == PilMode.I) {
            int[] px = image.ints();
            for (int x = 0, p = y * w; x < w; x++, p++) {
                int v = px[p];
                dst[x] = v <= 0 ? 0 : Math.min(v, 255);
            }
            return;
        }
        if (image.mode() != PilMode.CMYK) {
            throw new IllegalStateException("unexpected mode " + image.mode());
        }
        byte[] px = image.bytes();
        for (int x = 0, p = y * w * 4; x < w; x++, p += 4) {
            int nk = 255 - (px[p + 3] & 0xFF);
            dst[x] = LumaSource.luma(cmyk(px[p] & 0xFF, nk), cmyk(px[p + 1] & 0xFF, nk), cmyk(px[p + 2] & 0xFF, nk));
        }
    }

    @Override
    public InterleavedPixels interleaved() {
        int w = image.width();
        int h = image.height();
        return switch (image.mode()) {
            case L -> InterleavedPixels.grey(image.bytes(), w, h);
            case LA -> InterleavedPixels.greyAlpha(image.bytes(), w, h);
            case RGB -> InterleavedPixels.rgb(image.bytes(), w, h);
            case RGBA -> InterleavedPixels.rgba(image.bytes(), w, h);
            default -> null;
        };
    }

    private static int cmyk(int c, int nk) {
        int v = nk - PilColorConversions.mulDiv255(c, nk);
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
