package io.clipstream.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the model expects as input: square side {@code size}, per-channel normalisation {@code mean}/{@code std}
 * (RGB order, applied to u8/255), resampling filter, resize mode, and the largest pixel count (width × height
 * as declared by the image header) accepted before decoding.
 *
 * <p>The arrays are copied on construction and on access, so a spec is immutable and thread-safe.
 */
public record PreprocessSpec(
        int size, float[] mean, float[] std, Interpolation interpolation, ResizeMode resizeMode, long maxPixels) {

    /** OpenAI CLIP's normalisation mean (RGB). */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** OpenAI CLIP's normalisation standard deviation (RGB). */
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};
    /** Default pixel limit: 50 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** Largest supported {@code size}. */
    public static final int MAX_SIZE = 4096;

    /** Validates every component. */
    public PreprocessSpec {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be in 1.." + MAX_SIZE + ", got " + size);
        }
        mean = checkTriple("mean", mean);
        std = checkTriple("std", std);
        for (float s : std) {
            if (!(s > 0f)) {
                throw new IllegalArgumentException("std values must be > 0, got " + Arrays.toString(std));
            }
        }
        Objects.requireNonNull(interpolation, "interpolation must not be null (bicubic or bilinear)");
        Objects.requireNonNull(resizeMode, "resizeMode must not be null (shortest or squash)");
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
    }

    /** OpenAI CLIP preprocessing at the given size: CLIP mean/std, bicubic, shortest side + centre crop, 50 MP. */
    public static PreprocessSpec clip(int size) {
        return new PreprocessSpec(
                size, CLIP_MEAN, CLIP_STD, Interpolation.BICUBIC, ResizeMode.SHORTEST, DEFAULT_MAX_PIXELS);
    }

    private static float[] checkTriple(String name, float[] values) {
        Objects.requireNonNull(values, name + " must not be null");
        if (values.length != 3) {
            throw new IllegalArgumentException(name + " must have 3 values (R, G, B), got " + values.length);
        }
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(name + " values must be finite, got " + Arrays.toString(values));
            }
        }
        return values.clone();
    }

    /** A copy of the per-channel mean. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy of the per-channel standard deviation. */
    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessSpec other
                && size == other.size
                && maxPixels == other.maxPixels
                && Arrays.equals(mean, other.mean)
                && Arrays.equals(std, other.std)
                && interpolation == other.interpolation
                && resizeMode == other.resizeMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, Arrays.hashCode(mean), Arrays.hashCode(std), interpolation, resizeMode, maxPixels);
    }

    @Override
    public String toString() {
        return "PreprocessSpec[size=" + size + ", mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std)
                + ", interpolation=" + interpolation + ", resizeMode=" + resizeMode + ", maxPixels=" + maxPixels + "]";
    }
}
