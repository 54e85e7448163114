package io.clipstream.image;

import java.util.Locale;

/** Resampling filter, with PIL's semantics (antialiased when shrinking: the filter support grows with the scale). */
public enum Interpolation {
    /** PIL {@code Image.BICUBIC} (= 3): cubic convolution with a = -0.5, support 2. CLIP's default. */
    BICUBIC,
    /** PIL {@code Image.BILINEAR} (= 2): triangle filter, support 1. */
    BILINEAR;

    /**
     * Parses {@code "bicubic"} / {@code "bilinear"} (case-insensitive), or PIL's integer constants
     * {@code "3"} / {@code "2"}.
     *
     * @throws IllegalArgumentException for anything else (nearest, lanczos, box, hamming, ... are not supported)
     */
    public static Interpolation parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("interpolation must not be null; expected \"bicubic\" or \"bilinear\"");
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "bicubic", "3" -> BICUBIC;
            case "bilinear", "2" -> BILINEAR;
            default ->
                throw new IllegalArgumentException(
                        "unsupported interpolation \"" + s + "\"; expected \"bicubic\" (3) or \"bilinear\" (2)");
        };
    }
}
