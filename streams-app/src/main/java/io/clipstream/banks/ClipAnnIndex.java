package io.clipstream.banks;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.MultiDocValues;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * Approximate nearest neighbours of CLIP embeddings for banks too large to scan: Lucene's HNSW graph (Lucene 9.12,
 * in heap, {@code maxConn} {@value #MAX_CONN}, beam width {@value #BEAM_WIDTH}), searched for the {@code k} best and
 * re-scored exactly by the caller. Lucene rather than a hand-written graph because its HNSW is long maintained, tested
 * and tuned, and it needs nothing native; jvector would also do, but Lucene is the more widely deployed of the two.
 * Immutable once built; the index lives in heap memory ({@link ByteBuffersDirectory}), so there is nothing to close
 * but the reader, which holds no file or native resource either.
 */
final class ClipAnnIndex {

    /**
     * Graph neighbours per node (Lucene's {@code maxConn}, twice that on the bottom layer). On 110,000 random 512-d
     * items, the hardest case, with near-duplicate queries, recall@1 against exact was 0.990 at 256 candidates with
     * 16 (1.000 only at 512, 9.5 ms per query) and 0.999 / 1.000 at 128 / 256 candidates with 32 (5.9 / 8.2 ms,
     * exact scan 51 ms), for twice the build time (607 s against 297 s on one loaded core; docs/benchmarks.md).
     */
    static final int MAX_CONN = 32;
    /** Candidates kept while inserting a node (Lucene's {@code beamWidth}, efConstruction in the HNSW paper). */
    static final int BEAM_WIDTH = 100;

    private static final String FIELD = "clip";
    private static final String POSITION = "position";

    private final IndexSearcher searcher;
    private final DirectoryReader reader;

    private ClipAnnIndex(DirectoryReader reader) {
        this.reader = reader;
        this.searcher = new IndexSearcher(reader);
    }

    /** Indexes {@code count} row-major L2-normalised vectors of {@code dimension} floats. */
    static ClipAnnIndex build(float[] matrix, int count, int dimension) {
        return build(matrix, count, dimension, MAX_CONN, BEAM_WIDTH);
    }

    /** As {@link #build(float[], int, int)} with other graph settings, for measuring them. */
    static ClipAnnIndex build(float[] matrix, int count, int dimension, int maxConn, int beamWidth) {
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig()
                .setCodec(new Lucene912Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return new Lucene99HnswVectorsFormat(maxConn, beamWidth);
                    }
                })
                .setRAMBufferSizeMB(512)
                .setMergePolicy(NoMergePolicy.INSTANCE)
                .setCommitOnClose(true);
        try (IndexWriter writer = new IndexWriter(directory, config)) {
            for (int i = 0; i < count; i++) {
                float[] v = new float[dimension];
                System.arraycopy(matrix, i * dimension, v, 0, dimension);
                Document doc = new Document();
                doc.add(new KnnFloatVectorField(FIELD, v, VectorSimilarityFunction.DOT_PRODUCT));
                doc.add(new NumericDocValuesField(POSITION, i));
                writer.addDocument(doc);
            }
            writer.commit();
            return new ClipAnnIndex(DirectoryReader.open(directory));
        } catch (IOException e) {
            throw new UncheckedIOException("building the CLIP HNSW index failed", e);
        }
    }

    /** The number of index segments (one unless the indexing buffer overflowed), each searched separately. */
    int segments() {
        return reader.leaves().size();
    }

    /** The positions of (about) the {@code k} most similar vectors, best first. */
    int[] search(float[] query, int k) {
        try {
            TopDocs top = searcher.search(new KnnFloatVectorQuery(FIELD, query, k), k);
            NumericDocValues positions = MultiDocValues.getNumericValues(reader, POSITION);
            int[] out = new int[top.scoreDocs.length];
            int n = 0;
            // doc values iterate forward only: visit the hits in doc order, then restore the score order
            ScoreDoc[] byDoc = top.scoreDocs.clone();
            java.util.Arrays.sort(byDoc, java.util.Comparator.comparingInt(d -> d.doc));
            java.util.Map<Integer, Integer> positionOfDoc = new java.util.HashMap<>();
            for (ScoreDoc d : byDoc) {
                if (positions.advanceExact(d.doc)) {
                    positionOfDoc.put(d.doc, (int) positions.longValue());
                }
            }
            for (ScoreDoc d : top.scoreDocs) {
                Integer p = positionOfDoc.get(d.doc);
                if (p != null) {
                    out[n++] = p;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        } catch (IOException e) {
            throw new UncheckedIOException("searching the CLIP HNSW index failed", e);
        }
    }
}
