package io.clipstream.topology;

import io.clipstream.image.BudgetedPreprocessor;
import io.clipstream.image.ImagePreprocessor.Preprocessed;
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
     * The model's pixels and, from the same decode, the PDQ hashes of the full-size image and an overview of the
     * whole image (longest side at most {@code overviewMaxSide}, 0 for none). Decoders that cannot do more than
     * pixels (test doubles) give neither, so the event matches no bank by PDQ and its review thumbnail is the crop.
     *
     * @throws ImageRejectedException when the image is unusable
     * @throws InterruptedException when interrupted while waiting for decode memory
     */
    default Preprocessed decode(byte[] encoded, boolean pdq, int overviewMaxSide)
            throws ImageRejectedException, InterruptedException {
        return new Preprocessed(pixels(encoded), null, null);
    }

    /** Decodes with {@code budgeted}: pixels, and PDQ hashes and an overview when asked, under its budget. */
    static PixelDecoder of(BudgetedPreprocessor budgeted) {
        return new PixelDecoder() {
            @Override
            public RgbImage pixels(byte[] encoded) throws ImageRejectedException, InterruptedException {
                return budgeted.preprocessPixels(encoded);
            }

            @Override
            public Preprocessed decode(byte[] encoded, boolean pdq, int overviewMaxSide)
                    throws ImageRejectedException, InterruptedException {
                return budgeted.preprocess(encoded, pdq, overviewMaxSide);
            }
        };
    }
}
