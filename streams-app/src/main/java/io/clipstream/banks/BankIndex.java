package io.clipstream.banks;

import io.clipstream.pdq.PdqHash;
import io.clipstream.pdq.PdqIndex;
import io.clipstream.schema.BankItem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The searchable form of a set of bank items: PDQ hashes in a {@link PdqIndex} (a plain scan below
 * {@value #MULTI_INDEX_FROM} items, where building the tables would cost more than it saves) and CLIP embeddings as
 * one row-major matrix searched exactly. Immutable.
 */
final class BankIndex {

    /** Sizes from which the PDQ multi-index is built. */
    static final int MULTI_INDEX_FROM = 2048;

    /** Sizes up to which CLIP search is an exact scan; above, an HNSW graph ({@link ClipAnnIndex}). */
    static final int EXACT_CLIP_UP_TO = 100_000;
    /**
     * Neighbours the graph returns (Lucene's search beam) for exact re-scoring. On 110,000 random 512-d items, the
     * hardest case, with near-duplicate queries and {@link ClipAnnIndex#MAX_CONN} 32, recall@1 against exact was
     * 0.999 (999 of 1,000) at 128 and 1.000 (1,000 of 1,000) at 256, for 5.9 and 8.2 ms per query against 51 ms for
     * the exact scan in the same run ({@code banks bench}, after the scan was tightened: 1.000, 9.2 ms against
     * 26.6 ms; docs/benchmarks.md): 256 keeps a margin over the 0.99 asked.
     */
    static final int ANN_CANDIDATES = 256;

    static final BankIndex EMPTY = of(List.of(), null, 0);

    private final BankItem[] pdqItems;
    private final PdqHash[] pdqHashes;
    private final PdqIndex pdqIndex;
    private final BankItem[] clipItems;
    private final float[] clipMatrix;
    private final int dimension;
    private final String fingerprint;
    private final java.util.Set<String> ids;
    private final ClipAnnIndex clipAnn;

    private BankIndex(
            BankItem[] pdqItems,
            PdqHash[] pdqHashes,
            PdqIndex pdqIndex,
            BankItem[] clipItems,
            float[] clipMatrix,
            int dimension,
            String fingerprint,
            java.util.Set<String> ids,
            boolean indexed) {
        this.fingerprint = fingerprint;
        this.clipAnn = indexed && clipItems.length > EXACT_CLIP_UP_TO
                ? ClipAnnIndex.build(clipMatrix, clipItems.length, dimension)
                : null;
        this.pdqItems = pdqItems;
        this.pdqHashes = pdqHashes;
        this.pdqIndex = pdqIndex;
        this.clipItems = clipItems;
        this.clipMatrix = clipMatrix;
        this.dimension = dimension;
        this.ids = ids;
    }

    /**
     * Indexes {@code items}; embeddings are used only when computed with {@code fingerprint} and {@code dimension}
     * wide (the caller has checked and parsed them: see {@link Bank}).
     */
    static BankIndex of(Collection<BankItem> items, String fingerprint, int dimension) {
        return of(items, fingerprint, dimension, true);
    }

    /** Scanned, never indexed: for the small overlay of recent changes, which is rebuilt on every change. */
    static BankIndex scanned(Collection<BankItem> items, String fingerprint, int dimension) {
        return of(items, fingerprint, dimension, false);
    }

    private static BankIndex of(Collection<BankItem> items, String fingerprint, int dimension, boolean indexed) {
        List<BankItem> withHash = new ArrayList<>(items.size());
        List<PdqHash> hashes = new ArrayList<>(items.size());
        List<BankItem> withEmbedding = new ArrayList<>();
        java.util.Set<String> ids = new java.util.HashSet<>(items.size() * 2);
        for (BankItem item : items) {
            ids.add(item.getId());
            if (item.getPdq() != null) {
                withHash.add(item);
                hashes.add(PdqHash.parse(item.getPdq()));
            }
            if (usableEmbedding(item, fingerprint, dimension)) {
                withEmbedding.add(item);
            }
        }
        float[] matrix = new float[withEmbedding.size() * dimension];
        for (int r = 0; r < withEmbedding.size(); r++) {
            List<Float> e = withEmbedding.get(r).getEmbedding();
            for (int d = 0; d < dimension; d++) {
                matrix[r * dimension + d] = e.get(d);
            }
        }
        PdqHash[] hashArray = hashes.toArray(PdqHash[]::new);
        return new BankIndex(
                withHash.toArray(BankItem[]::new),
                hashArray,
                indexed && hashArray.length >= MULTI_INDEX_FROM ? PdqIndex.of(hashArray) : null,
                withEmbedding.toArray(BankItem[]::new),
                matrix,
                dimension,
                fingerprint,
                ids,
                indexed);
    }

    static boolean usableEmbedding(BankItem item, String fingerprint, int dimension) {
        return item.getEmbedding() != null
                && fingerprint != null
                && fingerprint.equals(item.getModelFingerprint())
                && item.getEmbedding().size() == dimension
                && dimension > 0;
    }

    boolean contains(String id) {
        return ids.contains(id);
    }

    int size() {
        return ids.size();
    }

    /** Receives an item found by PDQ. */
    @FunctionalInterface
    interface PdqHit {
        void found(BankItem item, int distance);
    }

    /** Receives an item found by PDQ for one of several query hashes. */
    @FunctionalInterface
    interface PdqVariantHit {
        void found(BankItem item, int variant, int distance);
    }

    /** Every item within {@code maxDistance} of any of {@code variants}, with each variant that finds it. */
    void searchPdq(PdqHash[] variants, int maxDistance, PdqVariantHit hit) {
        for (int v = 0; v < variants.length; v++) {
            int variant = v;
            searchPdq(variants[v], maxDistance, (item, distance) -> hit.found(item, variant, distance));
        }
    }

    /** Receives an item found by CLIP. */
    @FunctionalInterface
    interface ClipHit {
        void found(BankItem item, float similarity);
    }

    void searchPdq(PdqHash query, int maxDistance, PdqHit hit) {
        if (pdqIndex != null) {
            pdqIndex.search(query, maxDistance, (position, distance) -> hit.found(pdqItems[position], distance));
        } else {
            PdqIndex.linearScan(
                    pdqHashes, query, maxDistance, (position, distance) -> hit.found(pdqItems[position], distance));
        }
    }

    /** The cosine of {@code item}'s embedding with {@code embedding}; null when the item has none for this model. */
    Float similarity(BankItem item, float[] embedding) {
        if (embedding == null || embedding.length != dimension || !usableEmbedding(item, fingerprint, dimension)) {
            return null;
        }
        java.util.List<Float> e = item.getEmbedding();
        float sum = 0f;
        for (int d = 0; d < dimension; d++) {
            sum += embedding[d] * e.get(d);
        }
        return sum;
    }

    /**
     * The items whose cosine with {@code embedding} (both L2-normalised) is at least {@code min}: exact up to
     * {@value #EXACT_CLIP_UP_TO} items; above, the {@value #ANN_CANDIDATES} nearest by HNSW, re-scored exactly.
     */
    void searchClip(float[] embedding, float min, ClipHit hit) {
        if (embedding == null || embedding.length != dimension) {
            return;
        }
        if (clipAnn != null) {
            for (int r : clipAnn.search(embedding, ANN_CANDIDATES)) {
                float similarity = dot(embedding, r);
                if (similarity >= min) {
                    hit.found(clipItems[r], similarity);
                }
            }
            return;
        }
        for (int r = 0; r < clipItems.length; r++) {
            float similarity = dot(embedding, r);
            if (similarity >= min) {
                hit.found(clipItems[r], similarity);
            }
        }
    }

    /** The exact nearest item by CLIP (position into the embedding rows), for measuring the graph's recall. */
    int exactNearest(float[] embedding) {
        int best = -1;
        float bestSimilarity = Float.NEGATIVE_INFINITY;
        for (int r = 0; r < clipItems.length; r++) {
            float s = dot(embedding, r);
            if (s > bestSimilarity) {
                bestSimilarity = s;
                best = r;
            }
        }
        return best;
    }

    /** The nearest item by CLIP as searched in production (the graph above the exact limit). */
    int searchedNearest(float[] embedding) {
        if (clipAnn == null) {
            return exactNearest(embedding);
        }
        int best = -1;
        float bestSimilarity = Float.NEGATIVE_INFINITY;
        for (int r : clipAnn.search(embedding, ANN_CANDIDATES)) {
            float s = dot(embedding, r);
            if (s > bestSimilarity) {
                bestSimilarity = s;
                best = r;
            }
        }
        return best;
    }

    /**
     * Two partial sums over the even and odd coordinates. The main loop's bound is written as {@code k < even}:
     * with {@code k + 1 < d} the JIT left it about twice as slow (an exact scan of 100,000 × 512 took 95 ms per
     * query, now 47 ms, measured in one JVM), with the same sums.
     */
    private float dot(float[] embedding, int row) {
        final float[] m = clipMatrix;
        final int d = dimension;
        final int even = d & ~1;
        final int base = row * d;
        float s0 = 0f;
        float s1 = 0f;
        int k = 0;
        for (; k < even; k += 2) {
            s0 += embedding[k] * m[base + k];
            s1 += embedding[k + 1] * m[base + k + 1];
        }
        for (; k < d; k++) {
            s0 += embedding[k] * m[base + k];
        }
        return s0 + s1;
    }
}
