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
 * in heap, {@code maxConn} 16, beam width 100), searched for the {@code k} best and re-scored exactly by the caller.
 * Lucene rather than a hand-written graph because its HNSW is long maintained, tested and tuned, and it needs nothing
 * native; jvector would also do, but Lucene is the more widely deployed of the two. Immutable once built; the index
 * lives in heap memory ({@link ByteBuffersDirectory}), so there is nothing to close but the reader, which holds no
 * file or native resource either.
 */
final class ClipAnnIndex {

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
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        IndexWriterConfig config = new IndexWriterConfig()
                .setCodec(new Lucene912Codec() {
                    @Override
                    public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                        return new Lucene99HnswVectorsFormat(16, 100);
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
