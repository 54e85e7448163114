package io.clipstream.pdq;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * PDQ's 64×64 downsample of {@link InterleavedPixels}, columns first: each output row's vertical tent is summed
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
final class InterleavedDownsample {

    private static final int SIZE = JaroszTent.SIZE;
    private static final int LANE_WEIGHT_LIMIT = 257;
    private static final int LOW_LANES = 0x00FF00FF;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private InterleavedDownsample() {}

    /** The 64×64 downsample, row-major. */
    static float[] of(InterleavedPixels px) {
        JaroszTent rows = JaroszTent.of(px.height());
        JaroszTent cols = JaroszTent.of(px.width());
        int rowBytes = px.width() * px.channels();
        Sums sums = new Sums(rowBytes);
        InterleavedPixels.Rows source = px.rows();
        float[] luma = new float[px.width()];
        float[] block = new float[SIZE * SIZE];
        for (int i = 0; i < SIZE; i++) {
            int[] counts = rows.counts()[i];
            if (counts != null) {
                sums.integral(source, rowBytes, rows.start()[i], counts);
                filterIntegral(sums.wide, px, cols, 1f / (rows.window() * rows.window()), luma, block, i * SIZE);
            } else {
                sums.weighted(source, rowBytes, rows.start()[i], rows.weights()[i]);
                mix(sums.floats, px, luma);
                cols.apply(luma, block, i * SIZE, 1);
            }
        }
        return block;
    }

    /**
     * The row filter of exact column sums: where a column tent is whole, its integer weights are applied to each
     * channel's sums in integers and only the 64 results are mixed into luminance; the partial tents at the ends of
     * a short row take the float path over mixed luminance.
     */
    private static void filterIntegral(
            int[] wide, InterleavedPixels px, JaroszTent cols, float rowScale, float[] luma, float[] block, int at) {
        int ch = px.channels();
        float[] cw = px.channelWeights();
        boolean mixed = false;
        float colScale = rowScale / (cols.window() * cols.window());
        long[] sum = new long[ch];
        for (int j = 0; j < SIZE; j++) {
            int[] counts = cols.counts()[j];
            if (counts == null) {
                if (!mixed) {
                    mix(wide, px, rowScale, luma);
                    mixed = true;
                }
                block[at + j] = cols.applyOne(j, luma);
                continue;
            }
            int p = cols.start()[j] * ch;
            float out;
            if (ch == 3) {
                long r = 0;
                long g = 0;
                long b = 0;
                for (int k = 0; k < counts.length; k++, p += 3) {
                    int c = counts[k];
                    r += (long) c * wide[p];
                    g += (long) c * wide[p + 1];
                    b += (long) c * wide[p + 2];
                }
                out = cw[0] * r + cw[1] * g + cw[2] * b;
            } else {
                java.util.Arrays.fill(sum, 0L);
                for (int k = 0; k < counts.length; k++, p += ch) {
                    for (int c = 0; c < ch; c++) {
                        sum[c] += (long) counts[k] * wide[p + c];
                    }
                }
                out = 0f;
                for (int c = 0; c < ch; c++) {
                    out += cw[c] * sum[c];
                }
            }
            block[at + j] = out * colScale;
        }
    }

    private static void mix(int[] wide, InterleavedPixels px, float scale, float[] luma) {
        float[] cw = px.channelWeights();
        int ch = px.channels();
        if (ch == 3) {
            float r = cw[0] * scale;
            float g = cw[1] * scale;
            float b = cw[2] * scale;
            for (int x = 0, p = 0; x < luma.length; x++, p += 3) {
                luma[x] = r * wide[p] + g * wide[p + 1] + b * wide[p + 2];
            }
            return;
        }
        for (int x = 0, p = 0; x < luma.length; x++, p += ch) {
            float sum = 0f;
            for (int c = 0; c < ch; c++) {
                sum += cw[c] * wide[p + c];
            }
            luma[x] = sum * scale;
        }
    }

    private static void mix(float[] sums, InterleavedPixels px, float[] luma) {
        float[] cw = px.channelWeights();
        int ch = px.channels();
        for (int x = 0, p = 0; x < luma.length; x++, p += ch) {
            float sum = 0f;
            for (int c = 0; c < ch; c++) {
                sum += cw[c] * sums[p + c];
            }
            luma[x] = sum;
        }
    }

    /** Per-byte column sums of one output row's input rows; the buffers are reused from row to row. */
    private static final class Sums {
        final int words;
        final int[] low;
        final int[] high;
        final int[] wide;
        final float[] floats;

        Sums(int rowBytes) {
            words = rowBytes >>> 2;
            low = new int[words];
            high = new int[words];
            wide = new int[rowBytes];
            floats = new float[rowBytes];
        }

        /** {@code wide[b] = sum_k counts[k] * byte b of row first + k}, exactly. */
        void integral(InterleavedPixels.Rows source, int rowBytes, int first, int[] counts) {
            byte[] px = source.array();
            Arrays.fill(wide, 0);
            int tail = words * 4;
            int mass = 0;
            for (int k = 0; k < counts.length; k++) {
                int c = counts[k];
                if (c == 0) {
                    continue;
                }
                if (mass + c > LANE_WEIGHT_LIMIT) {
                    spill();
                    mass = 0;
                }
                int offset = source.load(first + k);
                accumulate(px, offset, c);
                for (int b = tail; b < rowBytes; b++) {
                    wide[b] += c * (px[offset + b] & 0xFF);
                }
                mass += c;
            }
            spill();
        }

        private void accumulate(byte[] px, int offset, int c) {
            final int[] lo = low;
            final int[] hi = high;
            for (int j = 0; j < lo.length; j++) {
                int x = (int) INT_LE.get(px, offset + 4 * j);
                lo[j] += (x & LOW_LANES) * c;
                hi[j] += ((x >>> 8) & LOW_LANES) * c;
            }
        }

        /** Adds the 16-bit lanes into the per-byte sums and clears them. */
        private void spill() {
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
        }

        /** {@code floats[b] = sum_k weights[k] * byte b of row first + k}. */
        void weighted(InterleavedPixels.Rows source, int rowBytes, int first, float[] weights) {
            Arrays.fill(floats, 0f);
            byte[] px = source.array();
            for (int k = 0; k < weights.length; k++) {
                float w = weights[k];
                int offset = source.load(first + k);
                for (int b = 0; b < rowBytes; b++) {
                    floats[b] += w * (px[offset + b] & 0xFF);
                }
            }
        }
    }
}
