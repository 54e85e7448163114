package io.clipstream.banks;

import io.clipstream.pdq.PdqDihedral;
import io.clipstream.pdq.PdqHash;
import io.clipstream.pdq.PdqIndex;
import io.clipstream.schema.BankItem;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Bank lookups at several sizes, on one thread, every figure measured in the same run: the PDQ multi-index against
 * a linear scan (per lookup of one hash, and per image: its eight dihedral hashes), the results of both compared
 * for equality; exact CLIP search; and, above the exact limit, the HNSW graph's latency and recall@1 against exact
 * search. Banks are random hashes with planted near neighbours of the queries (PDQ distances 0..40; CLIP
 * near-duplicates at cosine about 0.9), as known-content lookups are: most images match nothing, the few that match
 * are close. CLIP is measured for two kinds of query, each {@code queries} of them: planted near-duplicates of a bank
 * item, and random unit vectors with no planted neighbour (whose nearest item is barely nearer than the next ones).
 *
 * @param sizes bank sizes
 * @param queries lookups per size
 * @param dimension CLIP embedding width
 * @param clipSizes bank sizes for the CLIP figures
 */
public record BankIndexBenchmark(List<Integer> sizes, int queries, int dimension, List<Integer> clipSizes) {

    /** Runs every size, printing progress to {@code log}; returns the figures by size. */
    public Map<String, Object> run(PrintStream log) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int n : sizes) {
            out.put("pdq-" + n, pdq(n, log));
        }
        for (int n : clipSizes) {
            out.put("clip-" + n, clip(n, log));
        }
        return out;
    }

    private static PdqHash random(Random r) {
        return PdqHash.of(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    private static PdqHash flipped(PdqHash h, int bits, Random r) {
        long[] l = {h.word64(0), h.word64(1), h.word64(2), h.word64(3)};
        java.util.BitSet done = new java.util.BitSet(256);
        while (done.cardinality() < bits) {
            int k = r.nextInt(256);
            if (!done.get(k)) {
                done.set(k);
                l[k >>> 6] ^= 1L << (k & 63);
            }
        }
        return PdqHash.of(l[0], l[1], l[2], l[3]);
    }

    private Map<String, Object> pdq(int n, PrintStream log) {
        Random r = new Random(n);
        PdqHash[] bank = new PdqHash[n];
        for (int i = 0; i < n; i++) {
            bank[i] = random(r);
        }
        // half the queries have a planted neighbour at distance 0..40, the rest match nothing
        PdqHash[] q = new PdqHash[queries];
        for (int i = 0; i < queries; i++) {
            q[i] = random(r);
            if (i % 2 == 0) {
                bank[r.nextInt(n)] = flipped(q[i], r.nextInt(41), r);
            }
        }
        long t0 = System.nanoTime();
        PdqIndex index = PdqIndex.of(bank);
        double buildMs = (System.nanoTime() - t0) / 1e6;
        long[] found = new long[1];
        // warm-up, then timed: multi-index
        for (int rep = 0; rep < 3; rep++) {
            for (PdqHash h : q) {
                index.search(h, 31, (p, d) -> found[0]++);
            }
        }
        found[0] = 0;
        t0 = System.nanoTime();
        for (PdqHash h : q) {
            index.search(h, 31, (p, d) -> found[0]++);
        }
        double mihUs = (System.nanoTime() - t0) / 1e3 / queries;
        long mihFound = found[0];
        int scanQueries = Math.max(10, Math.min(queries, 20_000_000 / n));
        found[0] = 0;
        for (int i = 0; i < Math.min(3, scanQueries); i++) {
            PdqIndex.linearScan(bank, q[i], 31, (p, d) -> found[0]++);
        }
        found[0] = 0;
        t0 = System.nanoTime();
        for (int i = 0; i < scanQueries; i++) {
            PdqIndex.linearScan(bank, q[i], 31, (p, d) -> found[0]++);
        }
        double scanUs = (System.nanoTime() - t0) / 1e3 / scanQueries;
        // equality over the scanned queries
        int mismatches = 0;
        for (int i = 0; i < scanQueries; i++) {
            Map<Integer, Integer> a = new java.util.TreeMap<>();
            Map<Integer, Integer> b = new java.util.TreeMap<>();
            index.search(q[i], 31, a::put);
            PdqIndex.linearScan(bank, q[i], 31, b::put);
            mismatches += a.equals(b) ? 0 : 1;
        }
        // per image: the eight dihedral variants through a bank view, as the processor matches
        List<BankItem> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            items.add(BankItem.newBuilder()
                    .setId("i" + i)
                    .setPdq(bank[i].toHex())
                    .setQuality(100)
                    .build());
        }
        BankIndex base = BankIndex.of(items, null, 0);
        BankView view =
                new BankView("bench", Bank.DEFAULT_SETTINGS, true, base, BankIndex.EMPTY, java.util.Set.of(), n);
        List<PdqDihedral> images = new ArrayList<>(queries);
        for (PdqHash h : q) {
            List<PdqHash> variants = new ArrayList<>(8);
            variants.add(h);
            for (int v = 1; v < 8; v++) {
                variants.add(random(r));
            }
            images.add(new PdqDihedral(variants, 100));
        }
        int matched = 0;
        for (PdqDihedral image : images) {
            matched += view.bestMatch(image, null).isPresent() ? 1 : 0;
        }
        matched = 0;
        t0 = System.nanoTime();
        for (PdqDihedral image : images) {
            matched += view.bestMatch(image, null).isPresent() ? 1 : 0;
        }
        double perImageUs = (System.nanoTime() - t0) / 1e3 / queries;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("items", n);
        f.put("buildMs", round(buildMs));
        f.put("multiIndexUsPerHash", round(mihUs));
        f.put("linearScanUsPerHash", round(scanUs));
        f.put("speedup", round(scanUs / mihUs));
        f.put("perImageUs8Variants", round(perImageUs));
        f.put("found", mihFound);
        f.put("imagesMatched", matched);
        f.put("comparedWithScan", scanQueries);
        f.put("mismatches", mismatches);
        log.printf(
                Locale.ROOT,
                "PDQ %,d items: build %.0f ms; distance 31: multi-index %.1f µs/hash, linear scan"
                        + " %.1f µs/hash (%.0fx); per image (8 dihedral hashes) %.1f µs; %d of %d queries compared"
                        + " with the scan, %d differ%n",
                n,
                buildMs,
                mihUs,
                scanUs,
                scanUs / mihUs,
                perImageUs,
                scanQueries,
                scanQueries,
                mismatches);
        return f;
    }

    private Map<String, Object> clip(int n, PrintStream log) {
        Random r = new Random(7L * n);
        int d = dimension;
        List<BankItem> items = new ArrayList<>(n);
        float[][] vectors = new float[n][];
        for (int i = 0; i < n; i++) {
            vectors[i] = unit(gaussian(d, r));
            List<Float> boxed = new ArrayList<>(d);
            for (float v : vectors[i]) {
                boxed.add(v);
            }
            items.add(BankItem.newBuilder()
                    .setId("c" + i)
                    .setEmbedding(boxed)
                    .setModelFingerprint("bench")
                    .build());
        }
        // planted: a bank item plus Gaussian noise (cosine about 0.89 to it); random: no planted neighbour, the
        // nearest item at cosine about 0.2 among many nearly as close, the hardest case for a graph
        float[][] planted = new float[queries][];
        for (int i = 0; i < queries; i++) {
            float[] noise = gaussian(d, r);
            float[] base = vectors[r.nextInt(n)];
            float[] v = new float[d];
            for (int k = 0; k < d; k++) {
                v[k] = base[k] + 0.5f * noise[k] / (float) Math.sqrt(d);
            }
            planted[i] = unit(v);
        }
        float[][] unrelated = new float[queries][];
        for (int i = 0; i < queries; i++) {
            unrelated[i] = unit(gaussian(d, r));
        }
        long t0 = System.nanoTime();
        BankIndex index = BankIndex.of(items, "bench", d);
        double buildMs = (System.nanoTime() - t0) / 1e6;
        ClipRecall near = ClipRecall.measure(index, planted);
        ClipRecall far = ClipRecall.measure(index, unrelated);
        boolean ann = n > BankIndex.EXACT_CLIP_UP_TO;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("items", n);
        f.put("dimension", d);
        f.put("search", ann ? "hnsw" : "exact");
        if (ann) {
            f.put("maxConn", ClipAnnIndex.MAX_CONN);
            f.put("beamWidth", ClipAnnIndex.BEAM_WIDTH);
            f.put("candidates", BankIndex.ANN_CANDIDATES);
        }
        f.put("buildMs", round(buildMs));
        f.put("queries", queries);
        f.put("exactMsPerImage", round(near.exactMs()));
        f.put("searchedMsPerImage", round(near.searchedMs()));
        f.put("recallAt1", round(near.recall()));
        f.put("randomQueries", queries);
        f.put("randomExactMsPerImage", round(far.exactMs()));
        f.put("randomSearchedMsPerImage", round(far.searchedMs()));
        f.put("randomRecallAt1", round(far.recall()));
        log.printf(
                Locale.ROOT,
                "CLIP %,d items x %d-d: %s; build %.0f ms%n  planted near-duplicates: %s%n"
                        + "  random queries, no planted neighbour: %s%n",
                n,
                d,
                ann
                        ? String.format(
                                Locale.ROOT,
                                "HNSW (M %d, beam %d, %d candidates)",
                                ClipAnnIndex.MAX_CONN,
                                ClipAnnIndex.BEAM_WIDTH,
                                BankIndex.ANN_CANDIDATES)
                        : "exact",
                buildMs,
                near.describe(),
                far.describe());
        return f;
    }

    /** Exact and as-searched CLIP nearest of each query, timed, and how many of the two agree. */
    private record ClipRecall(double exactMs, double searchedMs, int agreed, int queries) {

        static ClipRecall measure(BankIndex index, float[][] q) {
            int qn = q.length;
            int[] exact = new int[qn];
            for (int i = 0; i < Math.min(5, qn); i++) {
                index.exactNearest(q[i]);
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < qn; i++) {
                exact[i] = index.exactNearest(q[i]);
            }
            double exactMs = (System.nanoTime() - t0) / 1e6 / qn;
            for (int i = 0; i < Math.min(5, qn); i++) {
                index.searchedNearest(q[i]);
            }
            int agreed = 0;
            t0 = System.nanoTime();
            for (int i = 0; i < qn; i++) {
                agreed += index.searchedNearest(q[i]) == exact[i] ? 1 : 0;
            }
            double searchedMs = (System.nanoTime() - t0) / 1e6 / qn;
            return new ClipRecall(exactMs, searchedMs, agreed, qn);
        }

        double recall() {
            return (double) agreed / queries;
        }

        String describe() {
            return String.format(
                    Locale.ROOT,
                    "%d queries, exact %.2f ms/image, as searched %.2f ms/image (%.1fx), recall@1 vs exact %.3f"
                            + " (%d of %d)",
                    queries,
                    exactMs,
                    searchedMs,
                    exactMs / searchedMs,
                    recall(),
                    agreed,
                    queries);
        }
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

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    @Override
    public String toString() {
        return "BankIndexBenchmark" + Arrays.asList(sizes, queries, dimension, clipSizes);
    }
}
