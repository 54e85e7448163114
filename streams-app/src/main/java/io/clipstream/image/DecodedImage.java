package io.clipstream.image;

/**
 * Decoded pixels in a {@link PilMode}: interleaved {@code bytes} for the 8-bit modes, {@code ints} for mode I
 * (the other array is null).
 */
record DecodedImage(PilMode mode, int width, int height, byte[] bytes, int[] ints) {
    DecodedImage {
        long n = (long) width * height;
        if (mode == PilMode.I) {
            if (ints == null || ints.length != n || bytes != null) {
                throw new IllegalArgumentException("mode I needs " + n + " ints");
            }
        } else if (bytes == null || bytes.length != n * mode.channels || ints != null) {
            throw new IllegalArgumentException("mode " + mode + " needs " + n * mode.channels + " bytes");
        }
    }

    static DecodedImage ofBytes(PilMode mode, int width, int height, byte[] bytes) {
        return new DecodedImage(mode, width, height, bytes, null);
    }

    static DecodedImage ofInts(int width, int height, int[] ints) {
        return new DecodedImage(PilMode.I, width, height, null, ints);
    }
}
