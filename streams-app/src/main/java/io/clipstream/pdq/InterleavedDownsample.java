package io.clipstream.pdq;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * PDQ's 64×64 downsample of 8-bit interleaved pixels fed one row at a time, top to bottom (so that it can ride
 * along with another pass over the same rows while they are in cache), columns first: each output row's vertical tent is summed
 * over the raw channel bytes in exact integer arithmetic, and only then are the 64 sums of each row mixed into
 * luminance and filtered along the row. The filters are linear, so this equals filtering the luminance plane
 * (up to float rounding, where the reference rounds after every pass).
 *
 * <p>The vertical sums are the bulk of the work: every byte of the image, once. They run four bytes at a time in
 * one {@code int}, two 16-bit lanes per mask ({@code 0x00FF00FF}), multiplied by the tent's integer weight: a
 * lane holds at most {@code 257 * 255 = 65535}, so the lanes are spilled into per-byte {@code int} sums before
 * their weights add up to more than 257. The JIT vectorises that loop, where byte-to-int conversions it does not;
 * this is about five times faster than summing floats per pixel. Rows whose tent has partial boxes (the ends of
 * short axes) are summed in floats.
 */
public final class InterleavedDownsample {

    private static final int SIZE = JaroszTent.SIZE;
    private static final int LANE_WEIGHT_LIMIT = 257;
    private static final int LOW_LANES = 0x00FF00FF;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final float[] RGB = {0.299f, 0.587f, 0.114f};
    private static final float[] GREY = {1f};

    private final int width;
    private final int height;
    private final int channels;
    private final float[] channelWeights;
    private final int rowBytes;
    private final JaroszTent rows;
    private final JaroszTent cols;
    private final float[] luma;
    private final float[] block = new float[SIZE * SIZE];
    /** Sums of the output rows whose tent is open; reused once an output row is done. */
    private final Sums[] open = new Sums[SIZE];

    private final ArrayDeque<Sums> spare = new ArrayDeque<>();
    /** The first output row not yet done, and the next input row expected. */
    private int firstOpen;

    private int next;

    /** A downsample of {@code channels}-byte pixels whose luminance is {@code sum_c channelWeights[c] * sample_c}. */
    InterleavedDownsample(int width, int height, int channels, float[] channelWeights) {
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.channelWeights = channelWeights;
        this.rowBytes = width * channels;
        this.rows = JaroszTent.of(height);
        this.cols = JaroszTent.of(width);
        this.luma = new float[width];
    }

    /** A downsample of RGB (3 channels) or grey (1) rows. */
    public static InterleavedDownsample of(int width, int height, int channels) {
        return new InterleavedDownsample(
                width,
                height,
                channels,
                switch (channels) {
                    case 1 -> GREY;
                    case 3 -> RGB;
                    default -> throw new IllegalArgumentException("RGB or grey only, not " + channels + " channels");
                });
    }

    /** The 64×64 downsample of {@code px}, row-major. */
    static float[] of(InterleavedPixels px) {
        InterleavedDownsample d =
                new InterleavedDownsample(px.width(), px.height(), px.channels(), px.channelWeights());
        int rowBytes = px.width() * px.channels();
        for (int y = 0; y < px.height(); y++) {
            d.accept(px.bytes(), y * rowBytes);
        }
        return d.block();
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** The index of the next row {@link #accept} expects ({@code height} once all are in). */
    public int nextRow() {
        return next;
    }

    /** Adds the next row: {@code width * channels} bytes of {@code px} from {@code offset}. */
    public void accept(byte[] px, int offset) {
        if (next >= height) {
            throw new IllegalStateException("all " + height + " rows are in");
        }
        int y = next++;
        for (int i = firstOpen; i < SIZE && rows.start()[i] <= y; i++) {
            int k = y - rows.start()[i];
            if (k >= rows.weights()[i].length) {
                continue;
            }
            Sums sums = open[i];
            if (sums == null) {
                sums = spare.isEmpty() ? new Sums(rowBytes) : spare.pop();
                sums.clear(rows.counts()[i] != null);
                open[i] = sums;
            }
            int[] counts = rows.counts()[i];
            if (counts != null) {
                sums.addIntegral(px, offset, counts[k]);
            } else {
                sums.addWeighted(px, offset, rows.weights()[i][k]);
            }
            if (k == rows.weights()[i].length - 1) {
                finish(i);
            }
        }
        while (firstOpen < SIZE && rows.start()[firstOpen] + rows.weights()[firstOpen].length <= next) {
            firstOpen++;
        }
    }

    /**
     * The 64×64 downsample, row-major, once every row is in.
     *
     * @throws IllegalStateException when rows are missing
     */
    float[] block() {
        if (next != height) {
            throw new IllegalStateException(next + " of " + height + " rows are in");
        }
        return block;
    }

    private void finish(int i) {
        Sums sums = open[i];
        open[i] = null;
        if (rows.counts()[i] != null) {
            sums.spill();
            mix(sums.wide, 1f / (rows.window() * rows.window()));
        } else {
            mix(sums.floats, 1f);
        }
        cols.apply(luma, block, i * SIZE, 1);
        spare.push(sums);
    }

    private void mix(int[] wide, float scale) {
        float[] cw = channelWeights;
        if (channels == 3) {
            float r = cw[0] * scale;
            float g = cw[1] * scale;
            float b = cw[2] * scale;
            for (int x = 0, p = 0; x < width; x++, p += 3) {
                luma[x] = r * wide[p] + g * wide[p + 1] + b * wide[p + 2];
            }
            return;
        }
        for (int x = 0, p = 0; x < width; x++, p += channels) {
            float sum = 0f;
            for (int c = 0; c < channels; c++) {
                sum += cw[c] * wide[p + c];
            }
            luma[x] = sum * scale;
        }
    }

    private void mix(float[] sums, float scale) {
        float[] cw = channelWeights;
        for (int x = 0, p = 0; x < width; x++, p += channels) {
            float sum = 0f;
            for (int c = 0; c < channels; c++) {
                sum += cw[c] * sums[p + c];
            }
            luma[x] = sum * scale;
        }
    }

    /** Per-byte column sums of one output row's input rows. */
    private static final class Sums {
        final int words;
        final int rowBytes;
        final int[] low;
        final int[] high;
        final int[] wide;
        final float[] floats;
        /** The weight added to the 16-bit lanes since they were last spilled. */
        int mass;

        Sums(int rowBytes) {
            this.rowBytes = rowBytes;
            words = rowBytes >>> 2;
            low = new int[words];
            high = new int[words];
            wide = new int[rowBytes];
            floats = new float[rowBytes];
        }

        /** Zeroes the sums an integral or a weighted row uses (the lanes are zero after every spill). */
        void clear(boolean integral) {
            if (integral) {
                Arrays.fill(wide, 0);
            } else {
                Arrays.fill(floats, 0f);
            }
            mass = 0;
        }

        /** {@code wide[b] += c * byte b}, exactly, through the lanes. */
        void addIntegral(byte[] px, int offset, int c) {
            if (c == 0) {
                return;
            }
            if (mass + c > LANE_WEIGHT_LIMIT) {
                spill();
            }
            final int[] lo = low;
            final int[] hi = high;
            for (int j = 0; j < lo.length; j++) {
                int x = (int) INT_LE.get(px, offset + 4 * j);
                lo[j] += (x & LOW_LANES) * c;
                hi[j] += ((x >>> 8) & LOW_LANES) * c;
            }
            for (int b = words * 4; b < rowBytes; b++) {
                wide[b] += c * (px[offset + b] & 0xFF);
            }
            mass += c;
        }

        /** Adds the 16-bit lanes into the per-byte sums and clears them. */
        void spill() {
            for (int j = 0, b = 0; j < words; j++, b += 4) {
                int lo = low[j];
                int hi = high[j];
                wide[b] += lo & 0xFFFF;
                wide[b + 1] += hi & 0xFFFF;
                wide[b + 2] += lo >>> 16;
                wide[b + 3] += hi >>> 16;
            }
            Arrays.fill(low, 0);
            Arrays.fill(high, 0);
            mass = 0;
        }

        /** {@code floats[b] += w * byte b}. */
        void addWeighted(byte[] px, int offset, float w) {
            for (int b = 0; b < rowBytes; b++) {
                floats[b] += w * (px[offset + b] & 0xFF);
            }
        }
    }
}
