package io.clipstream.pdq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The multi-index finds exactly what a linear scan finds, at every distance. */
class PdqIndexTest {

    static PdqHash random(Random random) {
        return PdqHash.of(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
    }

    /** {@code hash} with {@code bits} distinct random bits flipped. */
    static PdqHash flipped(PdqHash hash, int bits, Random random) {
        long[] l = {hash.word64(0), hash.word64(1), hash.word64(2), hash.word64(3)};
        java.util.BitSet done = new java.util.BitSet(256);
        while (done.cardinality() < bits) {
            int k = random.nextInt(256);
            if (!done.get(k)) {
                done.set(k);
                l[k >>> 6] ^= 1L << (k & 63);
            }
        }
        return PdqHash.of(l[0], l[1], l[2], l[3]);
    }

    @Test
    void searchEqualsALinearScanOnRandomAndPlantedNeighbours() {
        Random random = new Random(42);
        int n = 200_000;
        PdqHash[] hashes = new PdqHash[n];
        PdqHash[] queries = new PdqHash[40];
        for (int q = 0; q < queries.length; q++) {
            queries[q] = random(random);
        }
        for (int i = 0; i < n; i++) {
            hashes[i] = random(random);
        }
        // plant neighbours at every distance 0..70 around the queries, several per query
        int planted = 0;
        for (int q = 0; q < queries.length; q++) {
            for (int k = 0; k < 30; k++) {
                hashes[random.nextInt(n)] = flipped(queries[q], random.nextInt(71), random);
                planted++;
            }
        }
        PdqIndex index = PdqIndex.of(hashes);
        int totalFound = 0;
        for (int maxDistance : new int[] {0, 5, 15, 16, 31, 32, 40, 47, 63, 64, 70}) {
            for (PdqHash query : queries) {
                Map<Integer, Integer> expected = new TreeMap<>();
                PdqIndex.linearScan(hashes, query, maxDistance, expected::put);
                Map<Integer, Integer> actual = new TreeMap<>();
                index.search(query, maxDistance, (position, distance) -> assertThat(actual.put(position, distance))
                        .as("reported once")
                        .isNull());
                assertThat(actual).as("distance %d", maxDistance).isEqualTo(expected);
                totalFound += expected.size();
            }
        }
        System.out.println("PDQ multi-index vs linear scan: " + planted + " planted neighbours, " + totalFound
                + " results over 11 distances x 40 queries, all equal");
        assertThat(totalFound).isGreaterThan(1000);
    }

    @Test
    void aSmallIndexAndAnEmptyOneWork() {
        PdqHash h = PdqHash.of(1, 2, 3, 4);
        Map<Integer, Integer> found = new TreeMap<>();
        PdqIndex.of(new PdqHash[] {h, flipped(h, 31, new Random(1)), flipped(h, 32, new Random(2))})
                .search(h, 31, found::put);
        assertThat(found).isEqualTo(Map.of(0, 0, 1, 31));
        PdqIndex.of(new PdqHash[0]).search(h, 31, (p, d) -> {
            throw new AssertionError("nothing indexed");
        });
    }
}
