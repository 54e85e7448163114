package io.clipstream.banks;

import java.util.Locale;
import java.util.Random;

/**
 * Scratch harness: builds one HNSW graph for (items, maxConn, beam) on the same random bank and queries as {@code
 * banks bench}, then sweeps the search candidates k on it, printing recall@1 (after exact re-scoring) and latency.
 * Args: items maxConn beam plantedQueries randomQueries k1,k2,...
 */
public final class ClipAnnSweep {

    private ClipAnnSweep() {}

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int maxConn = Integer.parseInt(args[1]);
        int beam = Integer.parseInt(args[2]);
        int planted = Integer.parseInt(args[3]);
        int random = Integer.parseInt(args[4]);
        String[] ks = args[5].split(",");
        int d = 512;
        Random r = new Random(7L * n);
        float[] matrix = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(unit(gaussian(d, r)), 0, matrix, i * d, d);
        }
        float[][] q = new float[planted + random][];
        for (int i = 0; i < planted; i++) {
            float[] noise = gaussian(d, r);
            int base = r.nextInt(n);
            float[] v = new float[d];
            for (int k = 0; k < d; k++) {
                v[k] = matrix[base * d + k] + 0.5f * noise[k] / (float) Math.sqrt(d);
            }
            q[i] = unit(v);
        }
        Random rr = new Random(13L * n);
        for (int i = planted; i < q.length; i++) {
            q[i] = unit(gaussian(d, rr));
        }
        long t0 = System.nanoTime();
        ClipAnnIndex index = ClipAnnIndex.build(matrix, n, d, maxConn, beam);
        double buildS = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                Locale.ROOT,
                "n=%d M=%d beam=%d build %.1f s, %d segment(s)%n",
                n,
                maxConn,
                beam,
                buildS,
                index.segments());
        t0 = System.nanoTime();
        int[] exact = new int[q.length];
        for (int i = 0; i < q.length; i++) {
            exact[i] = nearest(matrix, n, d, q[i], null);
        }
        double exactMs = (System.nanoTime() - t0) / 1e6 / q.length;
        System.out.printf(Locale.ROOT, "exact %.2f ms/query%n", exactMs);
        for (String kText : ks) {
            int k = Integer.parseInt(kText);
            for (int i = 0; i < Math.min(20, q.length); i++) {
                index.search(q[i], k);
            }
            int[] hits = new int[2];
            double[] ms = new double[2];
            for (int i = 0; i < q.length; i++) {
                int kind = i < planted ? 0 : 1;
                long s = System.nanoTime();
                int found = nearest(matrix, n, d, q[i], index.search(q[i], k));
                ms[kind] += (System.nanoTime() - s) / 1e6;
                hits[kind] += found == exact[i] ? 1 : 0;
            }
            System.out.printf(
                    Locale.ROOT,
                    "k=%d planted recall@1 %.4f (%d/%d) %.2f ms (%.1fx); random recall@1 %.4f (%d/%d) %.2f ms%n",
                    k,
                    (double) hits[0] / Math.max(1, planted),
                    hits[0],
                    planted,
                    ms[0] / Math.max(1, planted),
                    exactMs / (ms[0] / Math.max(1, planted)),
                    (double) hits[1] / Math.max(1, random),
                    hits[1],
                    random,
                    ms[1] / Math.max(1, random));
        }
    }

    private static int nearest(float[] matrix, int n, int d, float[] query, int[] among) {
        int best = -1;
        float bestSimilarity = Float.NEGATIVE_INFINITY;
        int count = among == null ? n : among.length;
        for (int j = 0; j < count; j++) {
            int row = among == null ? j : among[j];
            float s0 = 0f;
            float s1 = 0f;
            int base = row * d;
            for (int k = 0; k < d; k += 2) {
                s0 += query[k] * matrix[base + k];
                s1 += query[k + 1] * matrix[base + k + 1];
            }
            float s = s0 + s1;
            if (s > bestSimilarity) {
                bestSimilarity = s;
                best = row;
            }
        }
        return best;
    }

    private static float[] gaussian(int d, Random r) {
        float[] v = new float[d];
        for (int k = 0; k < d; k++) {
            v[k] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] unit(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        float inv = (float) (1 / Math.sqrt(s));
        for (int k = 0; k < v.length; k++) {
            v[k] *= inv;
        }
        return v;
    }
}
