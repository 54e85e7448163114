package io.clipstream.pdq;

/**
 * Sub-linear search of PDQ hashes by Hamming distance: a multi-index hash (Norouzi et al., as Meta's README-MIH
 * describes for PDQ). Each 256-bit hash is cut into its sixteen 16-bit words and sixteen tables map a word to the
 * hashes that have it in that position. Two hashes within distance {@code d} agree to within {@code d / 16} bits
 * on at least one word (pigeonhole), so a search probes, in each table, the query's word and every word within
 * {@code d / 16} bits of it, and checks the full distance of what it finds. That is exact: it finds precisely what a
 * linear scan finds. Distances of 64 and more fall back to the scan.
 *
 * <p>Checking a candidate would mean one random memory access into the hashes (a cache miss, since a million
 * hashes are 32 MB), and a search at distance 31 meets about {@code 16 × 17 × n / 65,536} candidates. So each table
 * also keeps, beside every position, two of the hash's four longs in table order: the half-distance over those 128
 * bits must already be within the limit, which rejects nearly every unrelated candidate while reading the bucket
 * sequentially, and only the few that pass are checked in full.
 *
 * <p>Built once from an array of hashes (a position per hash) and immutable afterwards: thread-safe. Memory: per
 * table {@code 65,537 + n} ints and {@code 2n} longs, about 290 bytes per hash in all.
 */
public final class PdqIndex {

    private static final int WORDS = 16;
    private static final int BUCKETS = 1 << 16;
    /** Beyond this per-word radius (distance 64+) probing enumerates more words than a scan reads hashes. */
    private static final int MAX_WORD_RADIUS = 3;

    private final long[] hashes;
    private final int size;
    private final int[][] offsets;
    private final int[][] positions;
    /** Per table, beside each position: the long holding the table's word and the next one, of that hash. */
    private final long[][] prefix;

    /** Receives a search result: a position of the indexed array and its distance to the query. */
    @FunctionalInterface
    public interface Hit {
        /** Called once per position within the distance. */
        void found(int position, int distance);
    }

    private PdqIndex(long[] hashes, int size, int[][] offsets, int[][] positions, long[][] prefix) {
        this.hashes = hashes;
        this.size = size;
        this.offsets = offsets;
        this.positions = positions;
        this.prefix = prefix;
    }

    /** Indexes {@code hashes}; position {@code i} of a result is {@code hashes[i]}. */
    public static PdqIndex of(PdqHash[] hashes) {
        int n = hashes.length;
        long[] packed = new long[n * 4];
        for (int i = 0; i < n; i++) {
            for (int w = 0; w < 4; w++) {
                packed[i * 4 + w] = hashes[i].word64(w);
            }
        }
        int[][] offsets = new int[WORDS][];
        int[][] positions = new int[WORDS][];
        long[][] prefix = new long[WORDS][];
        for (int s = 0; s < WORDS; s++) {
            int[] counts = new int[BUCKETS + 1];
            for (int i = 0; i < n; i++) {
                counts[word(packed, i, s) + 1]++;
            }
            for (int b = 0; b < BUCKETS; b++) {
                counts[b + 1] += counts[b];
            }
            int[] fill = java.util.Arrays.copyOf(counts, BUCKETS);
            int[] pos = new int[n];
            long[] pre = new long[2 * n];
            int first = firstLong(s);
            for (int i = 0; i < n; i++) {
                int k = fill[word(packed, i, s)]++;
                pos[k] = i;
                pre[2 * k] = packed[i * 4 + first];
                pre[2 * k + 1] = packed[i * 4 + ((first + 1) & 3)];
            }
            offsets[s] = counts;
            positions[s] = pos;
            prefix[s] = pre;
        }
        return new PdqIndex(packed, n, offsets, positions, prefix);
    }

    /** The number of indexed hashes. */
    public int size() {
        return size;
    }

    /** The long (hex order) that holds 16-bit word {@code s}. */
    private static int firstLong(int s) {
        return 3 - (s >>> 2);
    }

    /** 16-bit word {@code s} (Meta's numbering) of hash {@code i}. */
    private static int word(long[] packed, int i, int s) {
        return (int) (packed[i * 4 + 3 - (s >>> 2)] >>> ((s & 3) << 4)) & 0xFFFF;
    }

    private int distance(int i, long q0, long q1, long q2, long q3) {
        int b = i * 4;
        return Long.bitCount(hashes[b] ^ q0)
                + Long.bitCount(hashes[b + 1] ^ q1)
                + Long.bitCount(hashes[b + 2] ^ q2)
                + Long.bitCount(hashes[b + 3] ^ q3);
    }

    /** Every indexed hash within {@code maxDistance} of {@code query}, each reported once, in no set order. */
    public void search(PdqHash query, int maxDistance, Hit hit) {
        if (maxDistance < 0 || size == 0) {
            return;
        }
        long q0 = query.word64(0);
        long q1 = query.word64(1);
        long q2 = query.word64(2);
        long q3 = query.word64(3);
        int radius = maxDistance / WORDS;
        if (radius > MAX_WORD_RADIUS) {
            scan(q0, q1, q2, q3, maxDistance, hit);
            return;
        }
        int[] queryWords = new int[WORDS];
        for (int s = 0; s < WORDS; s++) {
            queryWords[s] = query.word16(s);
        }
        for (int s = 0; s < WORDS; s++) {
            probe(s, queryWords[s], 0, radius, queryWords, q0, q1, q2, q3, maxDistance, radius, hit);
        }
    }

    /** Probes {@code word} and, while {@code left > 0}, each word with one more bit flipped above {@code lowest}. */
    private void probe(
            int s,
            int word,
            int lowest,
            int left,
            int[] queryWords,
            long q0,
            long q1,
            long q2,
            long q3,
            int maxDistance,
            int radius,
            Hit hit) {
        visit(s, word, queryWords, q0, q1, q2, q3, maxDistance, radius, hit);
        if (left == 0) {
            return;
        }
        for (int bit = lowest; bit < 16; bit++) {
            probe(s, word ^ (1 << bit), bit + 1, left - 1, queryWords, q0, q1, q2, q3, maxDistance, radius, hit);
        }
    }

    private void visit(
            int s,
            int word,
            int[] queryWords,
            long q0,
            long q1,
            long q2,
            long q3,
            int maxDistance,
            int radius,
            Hit hit) {
        int[] pos = positions[s];
        long[] pre = prefix[s];
        int first = firstLong(s);
        long p0 = select(first, q0, q1, q2, q3);
        long p1 = select((first + 1) & 3, q0, q1, q2, q3);
        int end = offsets[s][word + 1];
        for (int k = offsets[s][word]; k < end; k++) {
            if (Long.bitCount(pre[2 * k] ^ p0) + Long.bitCount(pre[2 * k + 1] ^ p1) > maxDistance) {
                continue;
            }
            int i = pos[k];
            // nearly every candidate is too far: the distance first, the duplicate check only for those that match
            int d = distance(i, q0, q1, q2, q3);
            if (d <= maxDistance && !foundInEarlierTable(i, s, queryWords, radius)) {
                hit.found(i, d);
            }
        }
    }

    private static long select(int i, long q0, long q1, long q2, long q3) {
        return switch (i) {
            case 0 -> q0;
            case 1 -> q1;
            case 2 -> q2;
            default -> q3;
        };
    }

    /** Whether table {@code t < s} already yielded hash {@code i}: its word there is within the radius. */
    private boolean foundInEarlierTable(int i, int s, int[] queryWords, int radius) {
        for (int t = 0; t < s; t++) {
            if (Integer.bitCount(word(hashes, i, t) ^ queryWords[t]) <= radius) {
                return true;
            }
        }
        return false;
    }

    private void scan(long q0, long q1, long q2, long q3, int maxDistance, Hit hit) {
        for (int i = 0; i < size; i++) {
            int d = distance(i, q0, q1, q2, q3);
            if (d <= maxDistance) {
                hit.found(i, d);
            }
        }
    }

    /** The reference a search must equal: every hash of {@code hashes} within {@code maxDistance}, by a full scan. */
    public static void linearScan(PdqHash[] hashes, PdqHash query, int maxDistance, Hit hit) {
        for (int i = 0; i < hashes.length; i++) {
            int d = hashes[i].distance(query);
            if (d <= maxDistance) {
                hit.found(i, d);
            }
        }
    }
}
