package io.clipstream.rescore;

import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.ImageEmbedding;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How fast {@code labels impact} re-scores: (1) the re-scoring engine ({@link ImpactAnalysis}, new and current set)
 * over {@code embeddings} stored embeddings held in memory, in the chunks the Kafka reader hands it; (2) the rate at
 * which {@link EmbeddingReader} reads and decodes embeddings from a topic of an embedded broker, and the whole
 * command path (read + re-score) over that topic. Sets are synthetic (default 47 threshold labels, more than
 * moderation.yaml's 28; 12 policies) at the model's width.
 */
public final class ImpactBenchmark {

    private final long embeddings;
    private final int topicEmbeddings;
    private final int dimension;
    private final int labels;

    /**
     * @param embeddings embeddings re-scored from memory
     * @param topicEmbeddings embeddings written to and read back from the embedded broker
     * @param dimension embedding width
     * @param labels labels per set
     */
    public ImpactBenchmark(long embeddings, int topicEmbeddings, int dimension, int labels) {
        this.embeddings = embeddings;
        this.topicEmbeddings = topicEmbeddings;
        this.dimension = dimension;
        this.labels = labels;
    }

    private float[] unit(Random random) {
        float[] v = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < dimension; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    /** A synthetic set; thresholds chosen so a few percent of random images clear each label. */
    private LabelSet set(String version, float threshold, Random random) {
        List<CompiledLabel> compiled = new ArrayList<>();
        for (int l = 0; l < labels; l++) {
            List<Float> e = new ArrayList<>(dimension);
            for (float v : unit(random)) {
                e.add(v);
            }
            compiled.add(CompiledLabel.newBuilder()
                    .setId("g.l" + l)
                    .setDisplayName("l" + l)
                    .setGroup("g")
                    .setThreshold(threshold)
                    .setEmbedding(e)
                    .build());
        }
        List<Policy> policies = new ArrayList<>();
        for (int p = 0; p < 12; p++) {
            policies.add(Policy.newBuilder()
                    .setId("p" + p)
                    .setMatch(PolicyMatch.ANY)
                    .setLabels(List.of("g.l" + p, "g.l" + (p + 12) % labels))
                    .setAction(PolicyAction.REVIEW)
                    .setSeverity(Severity.LOW)
                    .build());
        }
        return LabelSet.newBuilder()
                .setName("bench")
                .setVersion(version)
                .setModelId("bench")
                .setModelFingerprint("sha256:bench")
                .setDimension(dimension)
                .setGroups(List.of(LabelGroup.newBuilder()
                        .setName("g")
                        .setScoring(GroupScoring.THRESHOLD)
                        .build()))
                .setLabels(compiled)
                .setPolicies(policies)
                .setCompiledAt(Instant.EPOCH)
                .build();
    }

    /** Runs both parts, printing progress to {@code log}; returns the figures. */
    public Map<String, Object> run(PrintStream log) throws Exception {
        Random random = new Random(1);
        float threshold = (float) (2.0 / Math.sqrt(dimension));
        CompiledLabelSet before = CompiledLabelSet.of(set("1", threshold, new Random(2)));
        CompiledLabelSet after = CompiledLabelSet.of(set("2", threshold * 0.9f, new Random(2)));
        int pool = 16_384;
        float[][] vectors = new float[pool][];
        for (int i = 0; i < pool; i++) {
            vectors[i] = unit(random);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("dimension", dimension);
        figures.put("labelsPerSet", labels);
        figures.put("cores", Runtime.getRuntime().availableProcessors());

        int chunkSize = 4096;
        ImpactAnalysis warm = new ImpactAnalysis(after, before, 5);
        warm.add(chunk(vectors, 0, chunkSize));
        ImpactAnalysis analysis = new ImpactAnalysis(after, before, 5);
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (long done = 0; done < embeddings; done += chunkSize) {
            analysis.add(chunk(vectors, done, (int) Math.min(chunkSize, embeddings - done)));
        }
        double memorySeconds = (System.nanoTime() - start) / 1e9;
        double memoryCpuSeconds = (os.getProcessCpuTime() - cpuStart) / 1e9;
        figures.put("memoryEmbeddings", analysis.scanned());
        figures.put("memorySeconds", round(memorySeconds));
        figures.put("memoryCpuSeconds", round(memoryCpuSeconds));
        figures.put(
                "loadAverageAtStart",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage());
        figures.put("memoryEmbeddingsPerSecond", Math.round(analysis.scanned() / memorySeconds));
        figures.put("memoryFlagsAfterP0", analysis.policies().get("p0").after.count());
        log.printf(
                "re-scoring engine: %,d embeddings (%d-d, 2 sets of %d labels) from memory in %.1f s wall,"
                        + " %.1f s CPU (all threads of the process), %,.0f/s%n",
                analysis.scanned(),
                dimension,
                labels,
                memorySeconds,
                memoryCpuSeconds,
                analysis.scanned() / memorySeconds);

        if (topicEmbeddings > 0) {
            topic(figures, vectors, before, after, log);
        }
        return figures;
    }

    private void topic(
            Map<String, Object> figures,
            float[][] vectors,
            CompiledLabelSet before,
            CompiledLabelSet after,
            PrintStream log)
            throws Exception {
        Path dir = Files.createTempDirectory("impact-bench");
        String scope = "impact-bench-" + System.nanoTime();
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
        try (EmbeddedKafkaBroker broker =
                EmbeddedKafkaBroker.builder().logDir(dir).build().start()) {
            broker.createTopic("image-embeddings", 4, Map.of());
            long produceStart = System.nanoTime();
            try (KafkaProducer<String, ImageEmbedding> producer = new KafkaProducer<>(
                    Map.of(
                            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                            broker.bootstrapServers(),
                            ProducerConfig.LINGER_MS_CONFIG,
                            20,
                            ProducerConfig.BATCH_SIZE_CONFIG,
                            1 << 20,
                            ProducerConfig.COMPRESSION_TYPE_CONFIG,
                            "lz4"),
                    new StringSerializer(),
                    AvroSerdes.serde(ImageEmbedding.class, ImageEmbedding.getClassSchema(), registry, true, false)
                            .serializer())) {
                for (int i = 0; i < topicEmbeddings; i++) {
                    List<Float> boxed = new ArrayList<>(dimension);
                    for (float v : vectors[i % vectors.length]) {
                        boxed.add(v);
                    }
                    producer.send(new ProducerRecord<>(
                            "image-embeddings",
                            "e" + i,
                            ImageEmbedding.newBuilder()
                                    .setEventId("e" + i)
                                    .setModelId("bench")
                                    .setEmbedding(boxed)
                                    .setSource("uploads")
                                    .build()));
                }
            }
            log.printf(
                    "wrote %,d embeddings to the embedded broker in %.1f s%n",
                    topicEmbeddings, (System.nanoTime() - produceStart) / 1e9);
            Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
            double readSeconds;
            long read;
            try (KafkaConsumer<String, StoredEmbedding> consumer =
                    EmbeddingReader.consumer(EmbeddingReader.consumerConfig(client), registry)) {
                EmbeddingRange range =
                        EmbeddingRange.fromOffsets(consumer, "image-embeddings", Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L));
                long start = System.nanoTime();
                read = EmbeddingReader.read(consumer, range, chunk -> {});
                readSeconds = (System.nanoTime() - start) / 1e9;
            }
            figures.put("topicEmbeddings", read);
            figures.put("topicReadSeconds", round(readSeconds));
            figures.put("topicReadPerSecond", Math.round(read / readSeconds));
            log.printf(
                    "Kafka read + Avro decode: %,d embeddings in %.1f s, %,.0f/s%n",
                    read, readSeconds, read / readSeconds);
            ImpactAnalysis analysis = new ImpactAnalysis(after, before, 5);
            double fullSeconds;
            try (KafkaConsumer<String, StoredEmbedding> consumer =
                    EmbeddingReader.consumer(EmbeddingReader.consumerConfig(client), registry)) {
                EmbeddingRange range =
                        EmbeddingRange.fromOffsets(consumer, "image-embeddings", Map.of(0, 0L, 1, 0L, 2, 0L, 3, 0L));
                long start = System.nanoTime();
                EmbeddingReader.read(consumer, range, analysis::add);
                fullSeconds = (System.nanoTime() - start) / 1e9;
            }
            figures.put("topicImpactSeconds", round(fullSeconds));
            figures.put("topicImpactPerSecond", Math.round(analysis.scanned() / fullSeconds));
            double projected = embeddings / (analysis.scanned() / fullSeconds);
            figures.put("projectedSecondsFor" + embeddings + "FromTopic", round(projected));
            log.printf(
                    "read + re-score from the topic: %,d in %.1f s, %,.0f/s; %,d would take %.1f s%n",
                    analysis.scanned(), fullSeconds, analysis.scanned() / fullSeconds, embeddings, projected);
        } finally {
            InMemorySchemaRegistry.drop(scope);
        }
    }

    private static List<StoredEmbedding> chunk(float[][] vectors, long first, int size) {
        List<StoredEmbedding> chunk = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            long n = first + i;
            chunk.add(new StoredEmbedding(
                    "e" + n, "uploads", Map.of(), vectors[(int) (n % vectors.length)], 0, n, 0L, "bench"));
        }
        return chunk;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }
}
