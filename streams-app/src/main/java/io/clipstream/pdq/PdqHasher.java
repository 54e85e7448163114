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
 * each axis into one sparse 64×n weight matrix ({@link JaroszTent}: the composite tent filter at the 64 sampled
 * positions, edges handled as the reference does) instead of four running-sum passes over a full float plane. 8-bit
 * RGB and grey pixels are summed down the columns first, in integers ({@link InterleavedDownsample}); other sources
 * give luminance rows, filtered along each row first. The result equals the reference up to float rounding.
 *
 * <p>Images smaller than 5 pixels on a side hash to all zeros with quality 0, as in the reference. Stateless and
 * thread-safe.
 */
public final class PdqHasher {

    private static final int SIZE = JaroszTent.SIZE;
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
        InterleavedPixels pixels = image.interleaved();
        return pixels != null ? InterleavedDownsample.of(pixels) : downsampleRows(image);
    }

    /** The downsample of a source that only gives luminance rows: along each row first, then down the columns. */
    private static float[] downsampleRows(LumaSource image) {
        int w = image.width();
        int h = image.height();
        JaroszTent cols = JaroszTent.of(w);
        JaroszTent rows = JaroszTent.of(h);
        // filteredRows[y * 64 + j]: input row y filtered along x at sampled column j
        float[] filteredRows = new float[h * SIZE];
        boolean[] needed = rows.touched(h);
        float[] line = new float[w];
        for (int y = 0; y < h; y++) {
            if (needed[y]) {
                image.row(y, line);
                cols.apply(line, filteredRows, y * SIZE, 1);
            }
        }
        float[] block = new float[SIZE * SIZE];
        float[] column = new float[h];
        for (int j = 0; j < SIZE; j++) {
            for (int y = 0; y < h; y++) {
                column[y] = filteredRows[y * SIZE + j];
            }
            rows.apply(column, block, j, SIZE);
        }
        return block;
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
