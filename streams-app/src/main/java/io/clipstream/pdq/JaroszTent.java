package io.clipstream.pdq;

/**
 * PDQ's two Jarosz box passes along one axis of length {@code n}, evaluated only at the 64 decimation points:
 * output {@code i} is {@code sum_k weights[i][k] * in[start[i] + k]}. The box has {@code window = ceil(n / 128)}
 * taps; at the ends of the axis a partial window is averaged over what it holds, as in the reference.
 *
 * <p>Where every box that output {@code i} reads is whole, its weights are integers over {@code window²}:
 * {@code counts[i][k] / window²}, the number of boxes that cover input {@code k}. {@code counts[i]} is null where
 * some box is partial (near the ends of a short axis).
 */
record JaroszTent(int window, int[] start, float[][] weights, int[][] counts) {

    static final int SIZE = 64;

    static JaroszTent of(int n) {
        int window = (n + 2 * SIZE - 1) / (2 * SIZE);
        int half = (window + 2) / 2;
        // box output p averages inputs [p - before, p + after], clipped to the vector
        int before = window - half;
        int after = half - 1;
        int[] start = new int[SIZE];
        float[][] weights = new float[SIZE][];
        int[][] counts = new int[SIZE][];
        for (int i = 0; i < SIZE; i++) {
            int s = (int) (((i + 0.5) * n) / SIZE);
            int pLo = Math.max(0, s - before);
            int pHi = Math.min(n - 1, s + after);
            int qLo = Math.max(0, pLo - before);
            int qHi = Math.min(n - 1, pHi + after);
            double[] acc = new double[qHi - qLo + 1];
            int[] count = new int[acc.length];
            boolean whole = pHi - pLo + 1 == window;
            double outer = 1.0 / (pHi - pLo + 1);
            for (int p = pLo; p <= pHi; p++) {
                int lo = Math.max(0, p - before);
                int hi = Math.min(n - 1, p + after);
                whole &= hi - lo + 1 == window;
                double inner = outer / (hi - lo + 1);
                for (int q = lo; q <= hi; q++) {
                    acc[q - qLo] += inner;
                    count[q - qLo]++;
                }
            }
            float[] wts = new float[acc.length];
            for (int k = 0; k < acc.length; k++) {
                wts[k] = (float) acc[k];
            }
            start[i] = qLo;
            weights[i] = wts;
            counts[i] = whole ? count : null;
        }
        return new JaroszTent(window, start, weights, counts);
    }

    /** Which of the {@code n} inputs any output reads. */
    boolean[] touched(int n) {
        boolean[] t = new boolean[n];
        for (int i = 0; i < SIZE; i++) {
            java.util.Arrays.fill(t, start[i], start[i] + weights[i].length, true);
        }
        return t;
    }

    /** Output {@code i} alone. */
    float applyOne(int i, float[] in) {
        float[] wts = weights[i];
        int base = start[i];
        float sum = 0f;
        for (int k = 0; k < wts.length; k++) {
            sum += wts[k] * in[base + k];
        }
        return sum;
    }

    /** {@code out[offset + i * stride]} for the 64 outputs; four partial sums, so the multiply-adds overlap. */
    void apply(float[] in, float[] out, int offset, int stride) {
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
            out[offset + i * stride] = (s0 + s1) + (s2 + s3);
        }
    }
}
