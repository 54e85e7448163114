package io.clipstream.banks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The HNSW graph used for CLIP banks over 100,000 items, on a small bank: its nearest agrees with exact search. */
class ClipAnnIndexTest {

    private static float[] unit(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x * x;
        }
        for (int k = 0; k < v.length; k++) {
            v[k] /= (float) Math.sqrt(s);
        }
        return v;
    }

    @Test
    void nearDuplicatesFindTheirOriginalAsExactSearchDoes() {
        Random r = new Random(11);
        int n = 5_000;
        int d = 64;
        float[] matrix = new float[n * d];
        for (int i = 0; i < n; i++) {
            float[] v = new float[d];
            for (int k = 0; k < d; k++) {
                v[k] = (float) r.nextGaussian();
            }
            System.arraycopy(unit(v), 0, matrix, i * d, d);
        }
        ClipAnnIndex index = ClipAnnIndex.build(matrix, n, d);
        int queries = 300;
        int agree = 0;
        for (int q = 0; q < queries; q++) {
            int original = r.nextInt(n);
            float[] v = new float[d];
            for (int k = 0; k < d; k++) {
                v[k] = matrix[original * d + k] + 0.4f * (float) r.nextGaussian() / (float) Math.sqrt(d);
            }
            unit(v);
            int exact = -1;
            float best = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                float s = 0;
                for (int k = 0; k < d; k++) {
                    s += v[k] * matrix[i * d + k];
                }
                if (s > best) {
                    best = s;
                    exact = i;
                }
            }
            int[] found = index.search(v, BankIndex.ANN_CANDIDATES);
            assertThat(found.length)
                    .isLessThanOrEqualTo(BankIndex.ANN_CANDIDATES)
                    .isPositive();
            agree += found[0] == exact ? 1 : 0;
        }
        System.out.printf(
                "HNSW recall@1 vs exact on %d x %d-d, %d near-duplicate queries: %.3f%n",
                n, d, queries, (double) agree / queries);
        assertThat((double) agree / queries).isGreaterThanOrEqualTo(0.99);
    }
}
