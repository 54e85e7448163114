package io.clipstream.pdq;

import java.util.Objects;

/**
 * 8-bit interleaved pixels whose luminance is a fixed linear mix of their channels:
 * {@code luma = sum_c channelWeights[c] * sample_c} (R, G, B as 0.299, 0.587, 0.114; grey as 1; alpha as 0). Row
 * {@code y} starts at byte {@code y * width * channels}; the array may be longer than the image.
 *
 * @param bytes the samples
 * @param width width in pixels
 * @param height height in pixels
 * @param channels bytes per pixel
 * @param channelWeights the luminance weight of each channel
 */
public record InterleavedPixels(byte[] bytes, int width, int height, int channels, float[] channelWeights) {

    private static final float[] RGB = {0.299f, 0.587f, 0.114f};
    private static final float[] RGBA = {0.299f, 0.587f, 0.114f, 0f};
    private static final float[] GREY = {1f};
    private static final float[] GREY_ALPHA = {1f, 0f};

    /** Validates the sizes. */
    public InterleavedPixels {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(channelWeights, "channelWeights");
        if (width <= 0 || height <= 0 || channels != channelWeights.length) {
            throw new IllegalArgumentException(
                    width + "x" + height + " with " + channels + " channels and " + channelWeights.length + " weights");
        }
        if ((long) width * height * channels > bytes.length) {
            throw new IllegalArgumentException("expected at least " + (long) width * height * channels + " bytes for "
                    + width + "x" + height + "x" + channels + ", got " + bytes.length);
        }
    }

    /** RGB, 3 bytes per pixel. */
    public static InterleavedPixels rgb(byte[] bytes, int width, int height) {
        return new InterleavedPixels(bytes, width, height, 3, RGB);
    }

    /** RGB and an ignored alpha, 4 bytes per pixel. */
    public static InterleavedPixels rgba(byte[] bytes, int width, int height) {
        return new InterleavedPixels(bytes, width, height, 4, RGBA);
    }

    /** Grey, 1 byte per pixel. */
    public static InterleavedPixels grey(byte[] bytes, int width, int height) {
        return new InterleavedPixels(bytes, width, height, 1, GREY);
    }

    /** Grey and an ignored alpha, 2 bytes per pixel. */
    public static InterleavedPixels greyAlpha(byte[] bytes, int width, int height) {
        return new InterleavedPixels(bytes, width, height, 2, GREY_ALPHA);
    }

    /** The luminance of pixel {@code x} of row {@code y}. */
    float luma(int x, int y) {
        int p = (y * width + x) * channels;
        float sum = 0f;
        for (int c = 0; c < channels; c++) {
            sum += channelWeights[c] * (bytes[p + c] & 0xFF);
        }
        return sum;
    }
}
