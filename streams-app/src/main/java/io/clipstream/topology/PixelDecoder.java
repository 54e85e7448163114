package io.clipstream.topology;

import io.clipstream.image.BudgetedPreprocessor;
import io.clipstream.image.ImagePreprocessor.PixelsAndPdq;
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

    /**
     * The model's pixels and the PDQ hashes of the full-size image, from one decode. Decoders that cannot hash
     * (test doubles) give no hashes, so the event matches no bank by PDQ.
     *
     * @throws ImageRejectedException when the image is unusable
     * @throws InterruptedException when interrupted while waiting for decode memory
     */
    default PixelsAndPdq pixelsAndPdq(byte[] encoded) throws ImageRejectedException, InterruptedException {
        return new PixelsAndPdq(pixels(encoded), null);
    }

    /** Decodes with {@code budgeted}: pixels, and PDQ hashes when asked, under its decode-memory budget. */
    static PixelDecoder of(BudgetedPreprocessor budgeted) {
        return new PixelDecoder() {
            @Override
            public RgbImage pixels(byte[] encoded) throws ImageRejectedException, InterruptedException {
                return budgeted.preprocessPixels(encoded);
            }

            @Override
            public PixelsAndPdq pixelsAndPdq(byte[] encoded) throws ImageRejectedException, InterruptedException {
                return budgeted.preprocessPixelsAndPdq(encoded);
            }
        };
    }
}
