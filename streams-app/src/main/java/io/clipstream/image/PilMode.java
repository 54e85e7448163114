package io.clipstream.image;

/**
 * The PIL image mode a decoded image is resampled in, mirroring what Pillow 9.4 opens each file as.
 * Modes Pillow cannot resample with a convolution filter ("1", "P", "PA") never appear here: the decoder
 * expands them to {@link #RGB} (or {@link #L}) first, as Hugging Face's CLIPImageProcessor does.
 */
enum PilMode {
    /** 8-bit grey, 1 byte per pixel. */
    L(1),
    /** 8-bit grey + alpha, 2 bytes per pixel; resized premultiplied ("La") like Pillow. */
    LA(2),
    /** 8-bit RGB, 3 bytes per pixel. */
    RGB(3),
    /** 8-bit RGB + alpha, 4 bytes per pixel; resized premultiplied ("RGBa") like Pillow. */
    RGBA(4),
    /** 8-bit CMYK (not inverted), 4 bytes per pixel; resized in CMYK, converted with Pillow's cmyk2rgb. */
    CMYK(4),
    /** 32-bit signed integer grey (16-bit PNG grey), one int per pixel; clipped to 0..255 by convert("RGB"). */
    I(1);

    final int channels;

    PilMode(int channels) {
        this.channels = channels;
    }
}
