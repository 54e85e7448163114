package io.clipstream.topology;

import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.RgbImage;

/** Turns an encoded image into the model's input pixels (decode, orient, resize, crop), on the decode pool. */
@FunctionalInterface
public interface PixelDecoder {

    /**
     * @throws ImageRejectedException when the image is unusable
     * @throws InterruptedException when interrupted while waiting for decode memory
     */
    RgbImage pixels(byte[] encoded) throws ImageRejectedException, InterruptedException;
}
