package io.clipstream.pdq;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Meta's PDQ perceptual hash, written from the published algorithm (pdqhash-2017-10-09.pdf):
 * <ol>
 *   <li>luminance ({@link LumaSource});</li>
 *   <li>two passes of a Jarosz box filter along each axis, window {@code ceil(dim / 128)}, then decimation to
 *       64×64 at the centres of the output cells;</li>
 *   <li>the 2-D DCT-II of the 64×64 block, keeping coefficients 1..16 on each axis (the DC term is dropped);</li>
 *   <li>each of the 256 coefficients is a bit: set when it is above their median;</li>
 *   <li>quality: the sum of quantised absolute differences between neighbouring 64×64 samples, scaled to 0..100.</li>
 * </ol>
 *
 * <p>The box passes are linear and separable, so the two passes along rows and the two along columns may be done
 * in any order; and only 64 samples per axis survive the decimation. This class therefore turns the two passes on
 * each axis into one sparse 64×n weight matrix (the composite tent filter at the 64 sampled positions, edges
 * handled as the reference does: partial windows averaged over what they hold) and applies it row by row as the
 * luminance is produced: one multiply-add per input pixel per axis instead of four running-sum passes over a full
 * float plane. The result equals the reference up to float rounding.
 *
 * <p>Images smaller than 5 pixels on a side hash to all zeros with quality 0, as in the reference. Stateless and
 * thread-safe.
 */
public final class PdqHasher {

    private static final int SIZE = 64;
    private static final int KEPT = 16;
    private static final int MIN_DIMENSION = 5;
    /** The DCT-II basis, rows 1..16 of the 64-point transform: {@code D[i][j] = sqrt(2/64) cos(pi/128 (i+1)(2j+1))}. */
    private static final float[] DCT = dctMatrix();

    private PdqHasher() {}

    private static float[] dctMatrix() {
        float[] d = new float[KEPT * SIZE];
        double scale = Math.sqrt(2.0 / SIZE);
        for (int i = 0; i < KEPT; i++) {
            for (int j = 0; j < SIZE; j++) {
                d[i * SIZE + j] = (float) (scale * Math.cos(Math.PI / 2.0 / SIZE * (i + 1) * (2 * j + 1)));
            }
        }
        return d;
    }

    /** The hash and quality of an image. */
    public static PdqSignature hash(LumaSource image) {
        float[] dct = new float[KEPT * KEPT];
        int quality = transform(image, dct);
        return new PdqSignature(threshold(dct), quality);
    }

    /** The hashes of the eight dihedral variants, from one downsample. */
    public static PdqDihedral dihedral(LumaSource image) {
        float[] dct = new float[KEPT * KEPT];
        int quality = transform(image, dct);
        List<PdqHash> hashes = new ArrayList<>(8);
        float[] variant = new float[KEPT * KEPT];
        for (Variant v : Variant.values()) {
            v.apply(dct, variant);
            hashes.add(threshold(variant));
        }
        return new PdqDihedral(hashes, quality);
    }

    /** Fills the 16×16 DCT block and returns the quality; all zeros and quality 0 for a too small image. */
    private static int transform(LumaSource image, float[] dct) {
        int w = image.width();
        int h = image.height();
        if (w < MIN_DIMENSION || h < MIN_DIMENSION) {
            Arrays.fill(dct, 0f);
            return 0;
        }
        float[] block = downsample(image);
        int quality = quality(block);
        dct64To16(block, dct);
        return quality;
    }

    /** The 64×64 downsample, row-major. */
    static float[] downsample(LumaSource image) {
        int w = image.width();
        int h = image.height();
        Tent cols = Tent.of(w);
        Tent rows = Tent.of(h);
        // rowsThenCols[y * 64 + j]: input row y filtered along x at sampled column j
        float[] filteredRows = new float[h * SIZE];
        boolean[] needed = rows.touched(h);
        float[] line = new float[w];
        for (int y = 0; y < h; y++) {
            if (!needed[y]) {
                continue;
            }
            image.weightedRow(y, cols.start(), cols.weights(), line, filteredRows, y * SIZE);
        }
        float[] block = new float[SIZE * SIZE];
        float[] column = new float[h];
        float[] out = new float[SIZE];
        for (int j = 0; j < SIZE; j++) {
            for (int y = 0; y < h; y++) {
                column[y] = filteredRows[y * SIZE + j];
            }
            rows.apply(column, out, 0);
            for (int i = 0; i < SIZE; i++) {
                block[i * SIZE + j] = out[i];
            }
        }
        return block;
    }

    /**
     * Two box passes along one axis of length {@code n}, evaluated only at the 64 decimation points: output
     * {@code i} is {@code sum_k weights[i][k] * in[start[i] + k]}.
     */
    private record Tent(int[] start, float[][] weights) {

        static Tent of(int n) {
            int window = (n + 2 * SIZE - 1) / (2 * SIZE);
            int half = (window + 2) / 2;
            // box output p averages inputs [p - before, p + after], clipped to the vector
            int before = window - half;
            int after = half - 1;
            int[] start = new int[SIZE];
            float[][] weights = new float[SIZE][];
            for (int i = 0; i < SIZE; i++) {
                int s = (int) (((i + 0.5) * n) / SIZE);
                int pLo = Math.max(0, s - before);
                int pHi = Math.min(n - 1, s + after);
                int qLo = Math.max(0, pLo - before);
                int qHi = Math.min(n - 1, pHi + after);
                double[] acc = new double[qHi - qLo + 1];
                double outer = 1.0 / (pHi - pLo + 1);
                for (int p = pLo; p <= pHi; p++) {
                    int lo = Math.max(0, p - before);
                    int hi = Math.min(n - 1, p + after);
                    double inner = outer / (hi - lo + 1);
                    for (int q = lo; q <= hi; q++) {
                        acc[q - qLo] += inner;
                    }
                }
                float[] wts = new float[acc.length];
                for (int k = 0; k < acc.length; k++) {
                    wts[k] = (float) acc[k];
                }
                start[i] = qLo;
                weights[i] = wts;
            }
            return new Tent(start, weights);
        }

        /** Which of the {@code n} inputs any output reads. */
        boolean[] touched(int n) {
            boolean[] t = new boolean[n];
            for (int i = 0; i < SIZE; i++) {
                Arrays.fill(t, start[i], start[i] + weights[i].length, true);
            }
            return t;
        }

        /** Four partial sums, so that the multiply-adds do not wait on one another. */
        void apply(float[] in, float[] out, int offset) {
            for (int i = 0; i < SIZE; i++) {
                float[] wts = weights[i];
                int base = start[i];
                int n = wts.length;
                float s0 = 0f;
                float s1 = 0f;
                float s2 = 0f;
                float s3 = 0f;
                int k = 0;
                for (; k + 3 < n; k += 4) {
                    s0 += wts[k] * in[base + k];
                    s1 += wts[k + 1] * in[base + k + 1];
                    s2 += wts[k + 2] * in[base + k + 2];
                    s3 += wts[k + 3] * in[base + k + 3];
                }
                for (; k < n; k++) {
                    s0 += wts[k] * in[base + k];
                }
                out[offset + i] = (s0 + s1) + (s2 + s3);
            }
        }
    }

    /** The reference's heuristic: quantised gradients summed over both axes, / 90, capped at 100. */
    static int quality(float[] block) {
        int sum = 0;
        for (int i = 0; i < SIZE - 1; i++) {
            for (int j = 0; j < SIZE; j++) {
                sum += Math.abs((int) ((block[i * SIZE + j] - block[(i + 1) * SIZE + j]) * 100 / 255));
            }
        }
        for (int i = 0; i < SIZE; i++) {
            for (int j = 0; j < SIZE - 1; j++) {
                sum += Math.abs((int) ((block[i * SIZE + j] - block[i * SIZE + j + 1]) * 100 / 255));
            }
        }
        return Math.min(100, sum / 90);
    }

    /** {@code B = D A D^T}: the 16×16 low-frequency block (DC excluded) of the 64×64 DCT-II. */
    private static void dct64To16(float[] a, float[] b) {
        float[] t = new float[KEPT * SIZE];
        for (int i = 0; i < KEPT; i++) {
            for (int k = 0; k < SIZE; k++) {
                float d = DCT[i * SIZE + k];
                int row = k * SIZE;
                int o = i * SIZE;
                for (int j = 0; j < SIZE; j++) {
                    t[o + j] += d * a[row + j];
                }
            }
        }
        for (int i = 0; i < KEPT; i++) {
            for (int j = 0; j < KEPT; j++) {
                float sum = 0f;
                for (int k = 0; k < SIZE; k++) {
                    sum += t[i * SIZE + k] * DCT[j * SIZE + k];
                }
                b[i * KEPT + j] = sum;
            }
        }
    }

    /** Bit {@code i * 16 + j} is set when coefficient (i, j) is above the median (the 128th smallest). */
    private static PdqHash threshold(float[] dct) {
        float[] sorted = dct.clone();
        Arrays.sort(sorted);
        float median = sorted[(dct.length - 1) / 2];
        boolean[] bits = new boolean[PdqHash.BITS];
        for (int k = 0; k < dct.length; k++) {
            bits[k] = dct[k] > median;
        }
        return PdqHash.ofBits(bits);
    }

    /**
     * The dihedral variants in DCT space. Mirroring an axis negates that axis's odd-indexed basis functions
     * (coefficient indexes here start at frequency 1, so those at even positions); rotating by 90° is a transpose
     * plus one mirror.
     */
    private enum Variant {
        ORIGINAL(false, false, false),
        ROTATE_90(true, false, true),
        ROTATE_180(false, true, true),
        ROTATE_270(true, true, false),
        FLIP_X(false, true, false),
        FLIP_Y(false, false, true),
        FLIP_PLUS_1(true, false, false),
        FLIP_MINUS_1(true, true, true);

        private final boolean transpose;
        /** Negate where the row index (frequency i + 1) is odd. */
        private final boolean mirrorRows;
        /** Negate where the column index (frequency j + 1) is odd. */
        private final boolean mirrorCols;

        Variant(boolean transpose, boolean mirrorRows, boolean mirrorCols) {
            this.transpose = transpose;
            this.mirrorRows = mirrorRows;
            this.mirrorCols = mirrorCols;
        }

        void apply(float[] a, float[] out) {
            for (int i = 0; i < KEPT; i++) {
                for (int j = 0; j < KEPT; j++) {
                    boolean negate = (mirrorRows && (i & 1) == 0) ^ (mirrorCols && (j & 1) == 0);
                    float v = negate ? -a[i * KEPT + j] : a[i * KEPT + j];
                    if (transpose) {
                        out[j * KEPT + i] = v;
                    } else {
                        out[i * KEPT + j] = v;
                    }
                }
            }
        }
    }
}
