package io.clipstream.image;

import java.time.Duration;
import java.util.Objects;

/**
 * {@link ImagePreprocessor#preprocessPixels} under a {@link DecodeMemoryBudget}: the decoded size is read from the
 * header, a share of the budget is leased for it, and only then are the pixels decoded. Images over
 * {@code image.max.pixels} are left to the preprocessor, which refuses them from the header as TOO_MANY_PIXELS.
 */
public final class BudgetedPreprocessor {

    private final ImagePreprocessor preprocessor;
    private final DecodeMemoryBudget budget;
    private final Duration maxWait;

    /**
     * @param maxWait how long one image may wait for its share before the attempt fails (and is retried later)
     */
    public BudgetedPreprocessor(ImagePreprocessor preprocessor, DecodeMemoryBudget budget, Duration maxWait) {
        this.preprocessor = Objects.requireNonNull(preprocessor, "preprocessor");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
    }

    /** The budget shared by every caller. */
    public DecodeMemoryBudget budget() {
        return budget;
    }

    /**
     * Decoded and preprocessed pixels, as {@link ImagePreprocessor#preprocessPixels}.
     *
     * @throws ImageRejectedException as the preprocessor, and {@link RejectionReason#OVER_MEMORY_BUDGET} when the
     *                                image could not be decoded within the whole budget
     * @throws DecodeMemoryExhaustedException when its share did not become free in time
     * @throws InterruptedException when interrupted while waiting for its share
     */
    public RgbImage preprocessPixels(byte[] encoded) throws ImageRejectedException, InterruptedException {
        return underBudget(encoded, preprocessor::preprocessPixels);
    }

    /**
     * Decoded pixels with PDQ hashes and an overview from the same decode, as {@link ImagePreprocessor#preprocess},
     * under the budget.
     *
     * @throws ImageRejectedException as {@link #preprocessPixels}
     * @throws DecodeMemoryExhaustedException as {@link #preprocessPixels}
     * @throws InterruptedException as {@link #preprocessPixels}
     */
    public ImagePreprocessor.Preprocessed preprocess(byte[] encoded, boolean pdq, int overviewMaxSide)
            throws ImageRejectedException, InterruptedException {
        return underBudget(encoded, bytes -> preprocessor.preprocess(bytes, pdq, overviewMaxSide));
    }

    /** One decoding step of the preprocessor. */
    @FunctionalInterface
    private interface Decode<T> {
        T apply(byte[] encoded) throws ImageRejectedException;
    }

    private <T> T underBudget(byte[] encoded, Decode<T> decode) throws ImageRejectedException, InterruptedException {
        if (encoded == null || encoded.length == 0 || ImageFormat.sniff(encoded).isEmpty()) {
            return decode.apply(encoded);
        }
        DecodeFootprint footprint;
        try {
            footprint = DecodeFootprint.of(encoded);
        } catch (ImageRejectedException e) {
            // no readable header: the decoder fails on it too, with its own reason, before allocating pixels
            return decode.apply(encoded);
        }
        if (footprint.width() * footprint.height() > preprocessor.spec().maxPixels()
                || footprint.width() <= 0
                || footprint.height() <= 0) {
            return decode.apply(encoded);
        }
        try (DecodeMemoryBudget.Lease lease = budget.acquire(footprint, maxWait)) {
            return decode.apply(encoded);
        }
    }
}
