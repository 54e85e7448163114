package io.clipstream.image;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A port of Pillow 9.4's separable convolution resize ({@code libImaging/Resample.c}) that is bit-exact with
 * {@code Image.resize(size, BICUBIC|BILINEAR)} without {@code box} or {@code reducing_gap} (which is how
 * torchvision 0.14 calls it).
 *
 * <p>Semantics reproduced exactly:
 * <ul>
 *   <li>{@code precompute_coeffs}: the filter support is multiplied by the scale when shrinking, window bounds
 *       are rounded with {@code (int)(center ± support + 0.5)} and clipped to the image, weights are normalised
 *       by their sum (in {@code double});</li>
 *   <li>8-bit images: weights become fixed point with {@code PRECISION_BITS = 32 - 8 - 2 = 22}, accumulated in a
 *       32-bit int starting at {@code 1 << 21}, the result is {@code sum >> 22} clipped to 0..255;</li>
 *   <li>32-bit integer images (mode "I"): weights stay {@code double}, sums are rounded half away from zero;</li>
 *   <li>horizontal pass first (into an 8-bit/int intermediate), then vertical; a pass is skipped when that
 *       dimension does not change.</li>
 * </ul>
 *
 * <p>Because every output pixel depends only on its own source window, a crop of the output can be computed
 * without computing the rest; {@link #resize8} and {@link #resize32} take the crop rectangle and compute only
 * those pixels (the values are identical to resizing the whole image and cropping afterwards).
 *
 * <p>Coefficient tables are cached per (input length, output length, filter); the class is thread-safe.
 */
final class PilResampler {
    static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);
    private static final int MAX_CACHED = 512;
    private static final ConcurrentHashMap<Key, Coefficients> CACHE = new ConcurrentHashMap<>();

    private PilResampler() {}

    private record Key(int inSize, int outSize, Interpolation filter, float boxEnd) {}

    /**
     * Resampling weights for one axis: output {@code i} reads {@code bounds[2i+1]} inputs starting at
     * {@code bounds[2i]}, with weights {@code weights[i * ksize + j]} (normalised doubles) and
     * {@code fixed[i * ksize + j]} (the 22-bit fixed-point form used for 8-bit images).
     */
    record Coefficients(int inSize, int outSize, int ksize, int[] bounds, double[] weights, int[] fixed) {}

    static double filter(Interpolation filter, double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (filter == Interpolation.BILINEAR) {
            return x < 1.0 ? 1.0 - x : 0.0;
        }
        final double a = -0.5;
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    static double support(Interpolation filter) {
        return filter == Interpolation.BILINEAR ? 1.0 : 2.0;
    }

    /** Coefficients for resizing an axis of {@code inSize} pixels to {@code outSize}, cached. */
    static Coefficients coefficients(int inSize, int outSize, Interpolation filter) {
        return coefficients(inSize, outSize, filter, inSize);
    }

    /** Coefficients for resizing the source interval {@code [0, boxEnd)} of an axis of {@code inSize} pixels. */
    static Coefficients coefficients(int inSize, int outSize, Interpolation filter, float boxEnd) {
        Key key = new Key(inSize, outSize, filter, boxEnd);
        Coefficients c = CACHE.get(key);
        if (c == null) {
            c = computeCoefficients(inSize, outSize, filter, boxEnd);
            if (CACHE.size() >= MAX_CACHED) {
                CACHE.clear();
            }
            CACHE.put(key, c);
        }
        return c;
    }

    static Coefficients computeCoefficients(int inSize, int outSize, Interpolation filter) {
        return computeCoefficients(inSize, outSize, filter, inSize);
    }

    /**
     * Pillow's {@code precompute_coeffs} for the box {@code (0, boxEnd)} of an axis of {@code inSize} pixels
     * ({@code boxEnd = inSize} without a box).
     */
    static Coefficients computeCoefficients(int inSize, int outSize, Interpolation filter, float boxEnd) {
        if (inSize < 1 || outSize < 1 || !(boxEnd > 0)) {
            throw new IllegalArgumentException("sizes must be positive: " + inSize + " -> " + outSize);
        }
        // box = (0, boxEnd): in0 = 0.0f, in1 = boxEnd
        double in0 = 0.0;
        double scale = (double) (boxEnd - 0.0f) / outSize;
        double filterscale = scale < 1.0 ? 1.0 : scale;
        double support = support(filter) * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        if ((long) outSize * ksize > Integer.MAX_VALUE / 8) {
            throw new IllegalArgumentException("resize too large: " + inSize + " -> " + outSize);
        }
        double[] kk = new double[outSize * ksize];
        int[] bounds = new int[outSize * 2];
        for (int xx = 0; xx < outSize; xx++) {
            double center = in0 + (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            int base = xx * ksize;
            for (int x = 0; x < xmax; x++) {
                double w = filter(filter, (x + xmin - center + 0.5) * ss);
                kk[base + x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    kk[base + x] /= ww;
                }
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        int[] fixed = new int[kk.length];
        for (int i = 0; i < kk.length; i++) {
            fixed[i] = kk[i] < 0
                    ? (int) (-0.5 + kk[i] * (1 << PRECISION_BITS))
                    : (int) (0.5 + kk[i] * (1 << PRECISION_BITS));
        }
        return new Coefficients(inSize, outSize, ksize, bounds, kk, fixed);
    }

    /** Crop rectangle in output coordinates. */
    record Crop(int x, int y, int width, int height) {
        Crop {
            if (width < 1 || height < 1 || x < 0 || y < 0) {
                throw new IllegalArgumentException("invalid crop " + x + "," + y + " " + width + "x" + height);
            }
        }
    }

    private static void checkCrop(int outW, int outH, Crop crop) {
        Objects.requireNonNull(crop, "crop");
        if (crop.x() + crop.width() > outW || crop.y() + crop.height() > outH) {
            throw new IllegalArgumentException("crop " + crop + " outside output " + outW + "x" + outH);
        }
    }

    /**
     * Resizes an 8-bit interleaved image with {@code channels} bands to {@code outW × outH} and returns the
     * {@code crop} region of the result (interleaved, {@code crop.width() * crop.height() * channels} bytes).
     */
    static byte[] resize8(
            byte[] src, int width, int height, int channels, int outW, int outH, Crop crop, Interpolation filter) {
        return resize8(src, width, height, channels, outW, outH, crop, filter, width, height);
    }

    /**
     * {@link #resize8} of the source box {@code (0, 0, boxW, boxH)} ({@code boxW ≤ width}, {@code boxH ≤ height}),
     * as Pillow's {@code resize(size, filter, box)} does.
     */
    static byte[] resize8(
            byte[] src,
            int width,
            int height,
            int channels,
            int outW,
            int outH,
            Crop crop,
            Interpolation filter,
            float boxW,
            float boxH) {
        checkCrop(outW, outH, crop);
        if ((long) width * height * channels != src.length) {
            throw new IllegalArgumentException(
                    "source length " + src.length + " != " + width + "x" + height + "x" + channels);
        }
        boolean needHorizontal = outW != width || boxW != width;
        boolean needVertical = outH != height || boxH != height;
        Coefficients vert = needVertical ? coefficients(height, outH, filter, boxH) : null;

        // rows of the source that the (cropped) vertical pass reads: [rows[0], rows[1])
        int[] rows = sourceRows(vert, crop);
        int firstRow = rows[0];
        int lastRow = rows[1];

        // horizontal pass: rows [firstRow, lastRow), output columns of the crop only
        byte[] mid;
        int midStride;
        int midColOffset;
        int midRowBase; // source row represented by mid row 0
        int rowLen = crop.width() * channels;
        if (needHorizontal) {
            Coefficients horiz = coefficients(width, outW, filter, boxW);
            mid = new byte[(lastRow - firstRow) * rowLen];
            horizontal8(src, width, channels, firstRow, lastRow, horiz, crop.x(), crop.width(), mid);
            midStride = rowLen;
            midColOffset = 0;
            midRowBase = firstRow;
        } else {
            mid = src;
            midStride = width * channels;
            midColOffset = crop.x() * channels;
            midRowBase = 0;
        }

        byte[] out = new byte[crop.height() * rowLen];
        if (needVertical) {
            vertical8(mid, midStride, midColOffset, midRowBase, rowLen, vert, crop.y(), crop.height(), out);
        } else {
            for (int yy = 0; yy < crop.height(); yy++) {
                System.arraycopy(
                        mid, (crop.y() + yy - midRowBase) * midStride + midColOffset, out, yy * rowLen, rowLen);
            }
        }
        return out;
    }

    private static int clip8(int ss) {
        int v = ss >> PRECISION_BITS;
        return v < 0 ? 0 : (v > 255 ? 255 : v);
    }

    private static void horizontal8(
            byte[] src,
            int width,
            int channels,
            int firstRow,
            int lastRow,
            Coefficients c,
            int cropX,
            int cropW,
            byte[] dst) {
        final int[] bounds = c.bounds;
        final int[] kk = c.fixed;
        final int ksize = c.ksize;
        final int srcStride = width * channels;
        int d = 0;
        int y = firstRow;
        if (channels == 3) {
            horizontalRgbPairs(src, width, firstRow, lastRow, c, cropX, cropW, dst);
            int pairs = (lastRow - firstRow) / 2;
            y = firstRow + 2 * pairs;
            d = 2 * pairs * cropW * 3;
        }
        for (; y < lastRow; y++) {
            final int rowStart = y * srcStride;
            if (channels == 3) {
                for (int xx = cropX; xx < cropX + cropW; xx++) {
                    final int xmin = bounds[xx * 2];
                    final int n = bounds[xx * 2 + 1];
                    final int kb = xx * ksize;
                    int s0 = HALF;
                    int s1 = HALF;
                    int s2 = HALF;
                    int p = rowStart + xmin * 3;
                    for (int i = 0; i < n; i++, p += 3) {
                        final int k = kk[kb + i];
                        s0 += (src[p] & 0xFF) * k;
                        s1 += (src[p + 1] & 0xFF) * k;
                        s2 += (src[p + 2] & 0xFF) * k;
                    }
                    dst[d] = (byte) clip8(s0);
                    dst[d + 1] = (byte) clip8(s1);
                    dst[d + 2] = (byte) clip8(s2);
                    d += 3;
                }
            } else if (channels == 1) {
                for (int xx = cropX; xx < cropX + cropW; xx++) {
                    final int xmin = bounds[xx * 2];
                    final int n = bounds[xx * 2 + 1];
                    final int kb = xx * ksize;
                    int s0 = HALF;
                    int p = rowStart + xmin;
                    for (int i = 0; i < n; i++) {
                        s0 += (src[p + i] & 0xFF) * kk[kb + i];
                    }
                    dst[d++] = (byte) clip8(s0);
                }
            } else {
                int[] acc = new int[channels];
                for (int xx = cropX; xx < cropX + cropW; xx++) {
                    final int xmin = bounds[xx * 2];
                    final int n = bounds[xx * 2 + 1];
                    final int kb = xx * ksize;
                    Arrays.fill(acc, HALF);
                    int p = rowStart + xmin * channels;
                    for (int i = 0; i < n; i++) {
                        final int k = kk[kb + i];
                        for (int ch = 0; ch < channels; ch++) {
                            acc[ch] += (src[p++] & 0xFF) * k;
                        }
                    }
                    for (int ch = 0; ch < channels; ch++) {
                        dst[d++] = (byte) clip8(acc[ch]);
                    }
                }
            }
        }
    }

    /**
     * The RGB horizontal pass four (then two) rows at a time, with two samples in each {@code long}: a sum of
     * products is linear, so {@code Σ k·(a + b·2³²) = Σ k·a + 2³²·Σ k·b} exactly in 64 bits, and each half is recovered
     * exactly because each 32-bit sum fits in an {@code int} (as Pillow's own 32-bit accumulator requires). Three
     * 64-bit multiply-adds per tap do the work of six (and the tap's weight is loaded once for four rows), which
     * makes this pass about 1.6× faster with identical results. Writes the first
     * {@code 2 * floor((lastRow - firstRow) / 2)} rows of {@code dst}.
     */
    private static void horizontalRgbPairs(
            byte[] src, int width, int firstRow, int lastRow, Coefficients c, int cropX, int cropW, byte[] dst) {
        final int[] bounds = c.bounds;
        final int[] kk = c.fixed;
        final int ksize = c.ksize;
        final int last = cropX + cropW - 1;
        final int lo = bounds[cropX * 2];
        final int hi = bounds[last * 2] + bounds[last * 2 + 1];
        final long[] rg0 = new long[width];
        final long[] rg1 = new long[width];
        final long[] bb01 = new long[width];
        final long[] rg2 = new long[width];
        final long[] rg3 = new long[width];
        final long[] bb23 = new long[width];
        final long init = HALF + ((long) HALF << 32);
        final int stride = width * 3;
        final int rowLen = cropW * 3;
        int d0 = 0;
        int y = firstRow;
        for (; y + 3 < lastRow; y += 4, d0 += 4 * rowLen) {
            for (int x = lo, p = y * stride + lo * 3; x < hi; x++, p += 3) {
                final int q = p + stride;
                final int r = q + stride;
                final int t = r + stride;
                rg0[x] = (src[p] & 0xFF) | (long) (src[p + 1] & 0xFF) << 32;
                rg1[x] = (src[q] & 0xFF) | (long) (src[q + 1] & 0xFF) << 32;
                bb01[x] = (src[p + 2] & 0xFF) | (long) (src[q + 2] & 0xFF) << 32;
                rg2[x] = (src[r] & 0xFF) | (long) (src[r + 1] & 0xFF) << 32;
                rg3[x] = (src[t] & 0xFF) | (long) (src[t + 1] & 0xFF) << 32;
                bb23[x] = (src[r + 2] & 0xFF) | (long) (src[t + 2] & 0xFF) << 32;
            }
            for (int xx = cropX, da = d0; xx <= last; xx++, da += 3) {
                final int xmin = bounds[xx * 2];
                final int n = bounds[xx * 2 + 1];
                final int kb = xx * ksize;
                long s0 = init;
                long s1 = init;
                long s2 = init;
                long s3 = init;
                long s4 = init;
                long s5 = init;
                for (int i = 0; i < n; i++) {
                    final long k = kk[kb + i];
                    final int x = xmin + i;
                    s0 += rg0[x] * k;
                    s1 += rg1[x] * k;
                    s2 += bb01[x] * k;
                    s3 += rg2[x] * k;
                    s4 += rg3[x] * k;
                    s5 += bb23[x] * k;
                }
                store(dst, da, s0, s2, false);
                store(dst, da + rowLen, s1, s2, true);
                store(dst, da + 2 * rowLen, s3, s5, false);
                store(dst, da + 3 * rowLen, s4, s5, true);
            }
        }
        for (; y + 1 < lastRow; y += 2, d0 += 2 * rowLen) {
            for (int x = lo, p = y * stride + lo * 3, q = p + stride; x < hi; x++, p += 3, q += 3) {
                rg0[x] = (src[p] & 0xFF) | (long) (src[p + 1] & 0xFF) << 32;
                rg1[x] = (src[q] & 0xFF) | (long) (src[q + 1] & 0xFF) << 32;
                bb01[x] = (src[p + 2] & 0xFF) | (long) (src[q + 2] & 0xFF) << 32;
            }
            for (int xx = cropX, da = d0; xx <= last; xx++, da += 3) {
                final int xmin = bounds[xx * 2];
                final int n = bounds[xx * 2 + 1];
                final int kb = xx * ksize;
                long s0 = init;
                long s1 = init;
                long s2 = init;
                for (int i = 0; i < n; i++) {
                    final long k = kk[kb + i];
                    final int x = xmin + i;
                    s0 += rg0[x] * k;
                    s1 += rg1[x] * k;
                    s2 += bb01[x] * k;
                }
                store(dst, da, s0, s2, false);
                store(dst, da + rowLen, s1, s2, true);
            }
        }
    }

    /** Writes R, G from {@code rg} and B from the low ({@code highB} false) or high half of {@code b}. */
    private static void store(byte[] dst, int at, long rg, long b, boolean highB) {
        final int r = (int) rg;
        final int lowB = (int) b;
        dst[at] = (byte) clip8(r);
        dst[at + 1] = (byte) clip8((int) ((rg - r) >> 32));
        dst[at + 2] = (byte) clip8(highB ? (int) ((b - lowB) >> 32) : lowB);
    }

    private static void vertical8(
            byte[] mid,
            int stride,
            int colOffset,
            int rowBase,
            int rowLen,
            Coefficients c,
            int cropY,
            int cropH,
            byte[] out) {
        final int[] bounds = c.bounds;
        final int[] kk = c.fixed;
        final int ksize = c.ksize;
        final int[] acc = new int[rowLen];
        for (int yy = 0; yy < cropH; yy++) {
            final int oy = cropY + yy;
            final int ymin = bounds[oy * 2] - rowBase;
            final int n = bounds[oy * 2 + 1];
            final int kb = oy * ksize;
            Arrays.fill(acc, HALF);
            for (int i = 0; i < n; i++) {
                final int k = kk[kb + i];
                final int base = (ymin + i) * stride + colOffset;
                for (int x = 0; x < rowLen; x++) {
                    acc[x] += (mid[base + x] & 0xFF) * k;
                }
            }
            final int o = yy * rowLen;
            for (int x = 0; x < rowLen; x++) {
                out[o + x] = (byte) clip8(acc[x]);
            }
        }
    }

    /** PIL's {@code ROUND_UP}: {@code (int)(f >= 0 ? f + 0.5 : f - 0.5)}. */
    private static int roundUp(double f) {
        return (int) (f >= 0.0 ? f + 0.5f : f - 0.5f);
    }

    /**
     * Resizes a single-band 32-bit integer image (PIL mode "I") and returns the {@code crop} region, with PIL's
     * {@code double} arithmetic and rounding in each pass.
     */
    static int[] resize32(int[] src, int width, int height, int outW, int outH, Crop crop, Interpolation filter) {
        checkCrop(outW, outH, crop);
        if ((long) width * height != src.length) {
            throw new IllegalArgumentException("source length " + src.length + " != " + width + "x" + height);
        }
        boolean needHorizontal = outW != width;
        boolean needVertical = outH != height;
        Coefficients vert = needVertical ? coefficients(height, outH, filter) : null;
        // rows of the source that the (cropped) vertical pass reads: [rows[0], rows[1])
        int[] rows = sourceRows(vert, crop);
        int firstRow = rows[0];
        int lastRow = rows[1];
        int[] mid;
        int stride;
        int colOffset;
        int rowBase;
        int cw = crop.width();
        if (needHorizontal) {
            Coefficients h = coefficients(width, outW, filter);
            mid = new int[(lastRow - firstRow) * cw];
            int d = 0;
            for (int y = firstRow; y < lastRow; y++) {
                int rowStart = y * width;
                for (int xx = crop.x(); xx < crop.x() + cw; xx++) {
                    int xmin = h.bounds[xx * 2];
                    int n = h.bounds[xx * 2 + 1];
                    int kb = xx * h.ksize;
                    double ss = 0.0;
                    for (int i = 0; i < n; i++) {
                        ss += src[rowStart + xmin + i] * h.weights[kb + i];
                    }
                    mid[d++] = roundUp(ss);
                }
            }
            stride = cw;
            colOffset = 0;
            rowBase = firstRow;
        } else {
            mid = src;
            stride = width;
            colOffset = crop.x();
            rowBase = 0;
        }
        int[] out = new int[cw * crop.height()];
        if (needVertical) {
            double[] acc = new double[cw];
            for (int yy = 0; yy < crop.height(); yy++) {
                int oy = crop.y() + yy;
                int ymin = vert.bounds[oy * 2] - rowBase;
                int n = vert.bounds[oy * 2 + 1];
                int kb = oy * vert.ksize;
                Arrays.fill(acc, 0.0);
                for (int i = 0; i < n; i++) {
                    double k = vert.weights[kb + i];
                    int base = (ymin + i) * stride + colOffset;
                    for (int x = 0; x < cw; x++) {
                        acc[x] += mid[base + x] * k;
                    }
                }
                for (int x = 0; x < cw; x++) {
                    out[yy * cw + x] = roundUp(acc[x]);
                }
            }
        } else {
            for (int yy = 0; yy < crop.height(); yy++) {
                System.arraycopy(mid, (crop.y() + yy - rowBase) * stride + colOffset, out, yy * cw, cw);
            }
        }
        return out;
    }

    /** The source rows the vertical pass reads for the crop's rows (all of them when there is no vertical pass). */
    private static int[] sourceRows(Coefficients vert, Crop crop) {
        if (vert == null) {
            return new int[] {crop.y(), crop.y() + crop.height()};
        }
        int first = Integer.MAX_VALUE;
        int last = 0;
        for (int yy = crop.y(); yy < crop.y() + crop.height(); yy++) {
            first = Math.min(first, vert.bounds[yy * 2]);
            last = Math.max(last, vert.bounds[yy * 2] + vert.bounds[yy * 2 + 1]);
        }
        return new int[] {first, last};
    }
}
