package io.clipstream.review;

/**
 * Precision of reviewed flags (confirmed / (confirmed + overturned)) with its 95 % Wilson score interval, which,
 * unlike the normal approximation, stays inside [0, 1] and is honest for the small counts a review queue starts
 * with.
 *
 * @param confirmed flags a reviewer confirmed
 * @param overturned flags a reviewer overturned
 */
public record Precision(int confirmed, int overturned) {

    /** The standard normal quantile of 0.975. */
    static final double Z95 = 1.959963984540054;

    /** Confirmed plus overturned. */
    public int decided() {
        return confirmed + overturned;
    }

    /** confirmed / decided; NaN when nothing was decided. */
    public double value() {
        return decided() == 0 ? Double.NaN : (double) confirmed / decided();
    }

    /** Lower end of the 95 % Wilson interval; 0 when nothing was decided. */
    public double low() {
        return decided() == 0 ? 0 : center() - halfWidth();
    }

    /** Upper end of the 95 % Wilson interval; 1 when nothing was decided. */
    public double high() {
        return decided() == 0 ? 1 : center() + halfWidth();
    }

    private double center() {
        double n = decided();
        return (value() + Z95 * Z95 / (2 * n)) / (1 + Z95 * Z95 / n);
    }

    private double halfWidth() {
        double n = decided();
        double p = value();
        return Z95 * Math.sqrt(p * (1 - p) / n + Z95 * Z95 / (4 * n * n)) / (1 + Z95 * Z95 / n);
    }
}
