package io.clipstream.image;

/**
 * Decoded pixels in a {@link PilMode}: interleaved {@code bytes} for the 8-bit modes, {@code ints} for mode I
 * (the other array is null). {@code bytes} may be longer than the image (a reused decode buffer); the pixels are its
 * first {@code width * height * channels}.
 */
record DecodedImage(PilMode mode, int width, int height, byte[] bytes, int[] ints) {
    DecodedImage {
        long n = (long) width * height;
        if (mode == PilMode.I) {
            if (ints == null || ints.length != n || bytes != null) {
                throw new IllegalArgumentException("mode I needs " + n + " ints");
            }
        } else if (bytes == null || bytes.length < n * mode.channels || ints != null) {
            throw new IllegalArgumentException("mode " + mode + " needs " + n * mode.channels + " bytes");
        }
    }

    static DecodedImage ofBytes(PilMode mode, int width, int height, byte[] bytes) {
        return new DecodedImage(mode, width, height, bytes, null);
    }

    /** The number of pixel bytes ({@code width * height * channels}); 0 for mode I. */
    int byteCount() {
        return mode == PilMode.I ? 0 : width * height * mode.channels;
    }

    static DecodedImage ofInts(int width, int height, int[] ints) {
        return new DecodedImage(PilMode.I, width, height, null, ints);
    }
}
