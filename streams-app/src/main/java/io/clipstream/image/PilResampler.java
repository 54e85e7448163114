package io.clipstream.image;

import java.nio.ByteBuffer;
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
    /** Rows the horizontal pass produces per call, ahead of the vertical pass (a multiple of 4). */
    static final int CHUNK = 16;

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
        checkSource(src.length, width, height, channels, outW, outH, crop);
        return resize8(
                new HorizontalPass8(
                        src, width, channels, horizontal(width, outW, filter, boxW), crop.x(), crop.width()),
                width,
                height,
                channels,
                outW,
                outH,
                crop,
                filter,
                boxH);
    }

    /**
     * {@link #resize8(byte[], int, int, int, int, int, Crop, Interpolation, float, float)} of an image in native
     * memory ({@code width * channels} bytes per row from index 0 of {@code src}).
     */
    static byte[] resize8(
            ByteBuffer src,
            int width,
            int height,
            int channels,
            int outW,
            int outH,
            Crop crop,
            Interpolation filter,
            float boxW,
            float boxH) {
        checkSource(src.capacity(), width, height, channels, outW, outH, crop);
        return resize8(
                new HorizontalPass8(
                        src, width, channels, horizontal(width, outW, filter, boxW), crop.x(), crop.width()),
                width,
                height,
                channels,
                outW,
                outH,
                crop,
                filter,
                boxH);
    }

    /** Checks the crop, then that {@code length} bytes hold the image. */
    private static void checkSource(long length, int width, int height, int channels, int outW, int outH, Crop crop) {
        checkCrop(outW, outH, crop);
        if ((long) width * height * channels > length) {
            throw new IllegalArgumentException(
                    "source length " + length + " < " + width + "x" + height + "x" + channels);
        }
    }

    /** The horizontal pass's coefficients, or null when the width does not change. */
    private static Coefficients horizontal(int width, int outW, Interpolation filter, float boxW) {
        return outW != width || boxW != width ? coefficients(width, outW, filter, boxW) : null;
    }

    private static byte[] resize8(
            HorizontalPass8 pass,
            int width,
            int height,
            int channels,
            int outW,
            int outH,
            Crop crop,
            Interpolation filter,
            float boxH) {
        boolean needVertical = outH != height || boxH != height;
        Coefficients vert = needVertical ? coefficients(height, outH, filter, boxH) : null;
        int rowLen = crop.width() * channels;
        byte[] out = new byte[crop.height() * rowLen];
        if (vert == null) {
            int[][] mid = new int[CHUNK][rowLen];
            for (int y = crop.y(); y < crop.y() + crop.height(); y += CHUNK) {
                int end = Math.min(y + CHUNK, crop.y() + crop.height());
                pass.rows(y, end, mid, 0);
                for (int r = 0; r < end - y; r++) {
                    for (int i = 0, o = (y - crop.y() + r) * rowLen; i < rowLen; i++) {
                        out[o + i] = (byte) mid[r][i];
                    }
                }
            }
            return out;
        }
        vertical8(pass, rowLen, vert, crop, out);
        return out;
    }

    /**
     * The vertical pass, with the horizontal one run just ahead of it: the horizontal pass's rows go {@value CHUNK} at
     * a time into a ring that holds the vertical window (so the intermediate stays in cache, where a whole {@code int}
     * plane would not), and are read from there as ints, which the JIT vectorises.
     */
    private static void vertical8(HorizontalPass8 pass, int rowLen, Coefficients c, Crop crop, byte[] out) {
        final int[] bounds = c.bounds;
        final int[] kk = c.fixed;
        final int ksize = c.ksize;
        int firstRow = Integer.MAX_VALUE;
        int lastRow = 0;
        int window = 0;
        for (int oy = crop.y(); oy < crop.y() + crop.height(); oy++) {
            firstRow = Math.min(firstRow, bounds[oy * 2]);
            lastRow = Math.max(lastRow, bounds[oy * 2] + bounds[oy * 2 + 1]);
            window = Math.max(window, bounds[oy * 2 + 1]);
        }
        // CHUNK rows are written at once, in consecutive slots, and the window must survive that
        final int capacity = (window + CHUNK - 1 + CHUNK - 1) / CHUNK * CHUNK;
        // one array per row: the JIT vectorises the multiply-adds below only without an offset into the array
        final int[][] ring = new int[capacity][rowLen];
        final int[] acc = new int[rowLen];
        int produced = firstRow;
        for (int yy = 0; yy < crop.height(); yy++) {
            final int oy = crop.y() + yy;
            final int ymin = bounds[oy * 2];
            final int n = bounds[oy * 2 + 1];
            while (produced < ymin + n) {
                int end = Math.min(produced + CHUNK, lastRow);
                pass.rows(produced, end, ring, (produced - firstRow) % capacity);
                produced = end;
            }
            final int kb = oy * ksize;
            Arrays.fill(acc, HALF);
            for (int i = 0; i < n; i++) {
                final int k = kk[kb + i];
                final int[] row = ring[(ymin + i - firstRow) % capacity];
                for (int x = 0; x < rowLen; x++) {
                    acc[x] += row[x] * k;
                }
            }
            final int o = yy * rowLen;
            for (int x = 0; x < rowLen; x++) {
                out[o + x] = (byte) HorizontalPass8.clip8(acc[x]);
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
