package io.clipstream.bench;

import io.clipstream.app.ClipStreamApp;
import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.embedded.EmbeddedRunSettings;
import io.clipstream.embedded.ImageEventSender;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.RgbImage;
import io.clipstream.labels.LabelSetCompiler;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.labels.LabelSetValidationException;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.LabelSet;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Measures, in one run on the same generated events, model and threads: the bare loop (decode, preprocess and
 * batched inference in plain Java), end to end through the embedded broker at batch size 1 and batched,
 * preprocessing alone per format and size, and latency at half the peak load; and prints their ratios.
 */
public final class Benchmark {

    /**
     * @param model the model folder
     * @param images events per end-to-end run (half 640×480, half 1920×1080 JPEG)
     * @param batchSizes batch sizes to run end to end (batch.max.size = inference.max.batch.size); the largest is
     *     "batched", 1 is always run as the baseline
     * @param partitions partitions of the input topic (and stream threads)
     * @param peerModel for the Python peer: a folder with {@code visual.pt} of the same weights, or null to skip
     * @param device where inference runs ({@code cpu}, {@code cuda:N})
     * @param photos a folder of photos to measure draft-mode JPEG decoding against exact mode on, or null
     * @param preprocessOnly measure preprocessing only (no bare loop, no end-to-end runs)
     */
    public record Settings(
            Path model,
            int images,
            List<Integer> batchSizes,
            int partitions,
            Path peerModel,
            String device,
            Path photos,
            boolean preprocessOnly) {

        /** The largest batch size. */
        public int batchSize() {
            return batchSizes.stream().mapToInt(Integer::intValue).max().orElse(1);
        }
    }

    private static final String LABELS = """
            name: bench
            version: 1
            model: bench
            templates: ["a photo of a {}."]
            groups: [{name: things, scoring: threshold, threshold: 0.2}]
            labels:
              - {id: things.dog, group: things}
              - {id: things.cat, group: things}
              - {id: things.car, group: things}
              - {id: things.tree, group: things}
              - {id: things.house, group: things}
              - {id: things.person, group: things}
              - {id: things.sign, group: things}
              - {id: things.food, group: things}
            """;

    private final Settings settings;
    private final PrintStream progress;
    private final int cores = Runtime.getRuntime().availableProcessors();

    public Benchmark(Settings settings, PrintStream progress) {
        this.settings = settings;
        this.progress = progress;
    }

    /** Runs everything; returns the figures by name, in the order they are reported. */
    public Map<String, Object> run() throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        int n = settings.images();
        List<byte[]> events = new ArrayList<>(BenchImages.generate(n / 2, 640, 480, "jpeg", 1));
        events.addAll(BenchImages.generate(n - n / 2, 1920, 1080, "jpeg", 2));
        Collections.shuffle(events, new java.util.Random(3));
        if (settings.peerModel() != null) {
            List<String> unmet = PeerRequirements.unmet(PYTHON, peerScript(), settings.peerModel());
            if (!unmet.isEmpty()) {
                throw new IllegalArgumentException(
                        "--peer-model: the Python peer cannot run: " + String.join("; ", unmet));
            }
        }
        ModelFolder folder = ModelFolder.open(settings.model());
        out.put("model", folder.modelId());
        out.put("cores", cores);
        out.put("images", n);
        out.put("batch_size", settings.batchSize());
        out.put("partitions", settings.partitions());
        out.put("device", settings.device());
        try (ImageEncoder encoder = ImageEncoder.open(
                folder,
                InferenceOptions.defaults()
                        .withDevice(io.clipstream.clip.ExecutionDevice.parse(settings.device()))
                        .withMaxBatchSize(settings.batchSize()))) {
            preprocessing(encoder.preprocessor(), out);
            new PreprocessComparison(encoder, progress).run(out, photos());
            if (settings.preprocessOnly()) {
                return out;
            }
            out.put("bare_images_per_s", round(bare(encoder, events)));
        }
        LabelSet labels = compileLabels(folder);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>(settings.batchSizes());
            sizes.add(1);
            Map<Integer, E2e> runs = new java.util.TreeMap<>();
            for (int size : sizes) {
                runs.put(
                        size,
                        endToEnd(
                                broker,
                                labels,
                                events,
                                size,
                                0,
                                "b" + size,
                                size == settings.batchSize() ? settings.peerModel() : null));
                out.put("e2e_events_per_s_batch_" + size, round(runs.get(size).eventsPerSecond()));
                out.put(
                        "e2e_steady_events_per_s_batch_" + size,
                        round(runs.get(size).steadyPerSecond()));
                out.put("p99_ms_batch_" + size, runs.get(size).p99());
            }
            E2e batch1 = runs.get(1);
            E2e batched = runs.get(settings.batchSize());
            if (batched.peerSteadyPerSecond() > 0) {
                out.put("peer_events_per_s", round(batched.peerEventsPerSecond()));
                out.put("peer_steady_events_per_s", round(batched.peerSteadyPerSecond()));
                out.put("clipstream_over_peer", round(batched.steadyPerSecond() / batched.peerSteadyPerSecond()));
            }
            out.put("batch1_events_per_s", round(batch1.eventsPerSecond()));
            out.put("batch1_steady_events_per_s", round(batch1.steadyPerSecond()));
            out.put("e2e_events_per_s", round(batched.eventsPerSecond()));
            out.put("e2e_steady_events_per_s", round(batched.steadyPerSecond()));
            out.put("p50_ms", batched.p50());
            out.put("p99_ms", batched.p99());
            out.put("mean_inference_batch", round(batched.meanBatch()));
            out.put("mean_inference_run_ms", round(batched.meanInferenceMs()));
            // ratios use the steady-state rates: the whole-run figures include start-up and the first rebalance
            out.put("e2e_over_bare", round(batched.steadyPerSecond() / (Double) out.get("bare_images_per_s")));
            out.put("batched_over_batch1", round(batched.steadyPerSecond() / batch1.steadyPerSecond()));
            double half = batched.steadyPerSecond() / 2;
            E2e halfLoad = endToEnd(
                    broker, labels, events.subList(0, Math.max(20, n / 2)), settings.batchSize(), half, "half", null);
            out.put("half_load_events_per_s", round(half));
            out.put("half_load_p99_ms", halfLoad.p99());
            long bound = 50 + Math.round(2 * batched.meanInferenceMs());
            out.put("half_load_p99_bound_ms", bound);
        }
        return out;
    }

    private void preprocessing(ImagePreprocessor preprocessor, Map<String, Object> out) throws Exception {
        Object[][] cases = {
            {"jpeg_640x480", 640, 480, "jpeg"},
            {"jpeg_1920x1080", 1920, 1080, "jpeg"},
            {"png_1920x1080", 1920, 1080, "png"}
        };
        double total = 0;
        for (Object[] c : cases) {
            List<byte[]> images = BenchImages.generate(12, (int) c[1], (int) c[2], (String) c[3], 7);
            for (byte[] image : images.subList(0, 2)) {
                preprocessor.preprocessPixels(image);
            }
            // per CPU-second of this thread: what one core does, whatever else runs on the machine
            java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            long start = cpu.getCurrentThreadCpuTime();
            int rounds = 0;
            while (cpu.getCurrentThreadCpuTime() - start < 2_000_000_000L || rounds < 2) {
                for (byte[] image : images) {
                    preprocessor.preprocessPixels(image);
                }
                rounds++;
            }
            double perSecond = rounds * images.size() / ((cpu.getCurrentThreadCpuTime() - start) / 1e9);
            out.put("preprocess_" + c[0] + "_per_s_per_core", round(perSecond));
            if (c[0].equals("jpeg_1920x1080")) {
                total = perSecond;
            }
            progress.printf("preprocessing %s: %.1f images per CPU-second on one thread%n", c[0], perSecond);
        }
        out.put("preprocess_images_per_s_per_core", round(total));
    }

    private double bare(ImageEncoder encoder, List<byte[]> events) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        try {
            runBare(encoder, pool, events.subList(0, Math.min(events.size(), settings.batchSize() * 2)));
            long start = System.nanoTime();
            runBare(encoder, pool, events);
            double perSecond = events.size() / ((System.nanoTime() - start) / 1e9);
            progress.printf(
                    "bare loop: %.1f images/s (decode on %d threads, batches of %d)%n",
                    perSecond, cores, settings.batchSize());
            return perSecond;
        } finally {
            pool.shutdownNow();
        }
    }

    private void runBare(ImageEncoder encoder, ExecutorService pool, List<byte[]> events) throws Exception {
        for (int i = 0; i < events.size(); i += settings.batchSize()) {
            List<Future<RgbImage>> futures = new ArrayList<>();
            for (byte[] image : events.subList(i, Math.min(events.size(), i + settings.batchSize()))) {
                futures.add(pool.submit(() -> {
                    try {
                        return encoder.preprocessor().preprocessPixels(image);
                    } catch (ImageRejectedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            List<RgbImage> batch = new ArrayList<>();
            for (Future<RgbImage> f : futures) {
                batch.add(f.get());
            }
            encoder.embed(batch);
        }
    }

    private LabelSet compileLabels(ModelFolder folder) throws LabelSetValidationException {
        return LabelSetCompiler.compileFor(folder, LabelSetParser.parse("bench.yaml", LABELS));
    }

    private record E2e(
            double eventsPerSecond,
            double steadyPerSecond,
            long p50,
            long p99,
            double meanBatch,
            double meanInferenceMs,
            double peerEventsPerSecond,
            double peerSteadyPerSecond) {}

    /** The photos of {@link Settings#photos()}, sorted; empty when none was given. */
    private List<Path> photos() throws java.io.IOException {
        if (settings.photos() == null) {
            return List.of();
        }
        try (var files = Files.list(settings.photos())) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /**
     * Results per second between the 10th and the 90th percentile of completion times ({@code System.nanoTime}),
     * so that start-up, the first rebalance and the tail of the last batch do not weigh on the rate.
     */
    static double steadyRate(List<Long> completionNanos) {
        List<Long> t = new ArrayList<>(completionNanos);
        Collections.sort(t);
        if (t.size() < 10) {
            return t.size() < 2 || t.get(t.size() - 1).equals(t.get(0))
                    ? 0
                    : (t.size() - 1) / ((t.get(t.size() - 1) - t.get(0)) / 1e9);
        }
        int lo = (int) (t.size() * 0.1);
        int hi = (int) Math.ceil(t.size() * 0.9) - 1;
        long span = t.get(hi) - t.get(lo);
        return span <= 0 ? 0 : (hi - lo) / (span / 1e9);
    }

    private E2e endToEnd(
            EmbeddedKafkaBroker broker,
            LabelSet labels,
            List<byte[]> events,
            int batch,
            double rate,
            String name,
            Path peerModel)
            throws Exception {
        String scope = "bench-" + name + "-" + System.nanoTime();
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
        Path state = Files.createTempDirectory("clipstream-bench");
        ClipStreamConfig config = EmbeddedRunSettings.of("bench-" + name, broker.bootstrapServers())
                .registry("mock://" + scope)
                .set("topic.prefix", name + ".")
                .partitions(settings.partitions())
                .set("num.stream.threads", Integer.toString(settings.partitions()))
                .model(settings.model())
                .stateDir(state)
                .batch(batch, 50)
                .set("inference.max.batch.size", Integer.toString(batch))
                .set("inference.device", settings.device())
                .config();
        String topic = config.topic(ClipStreamConfig.TOPIC_IMAGE_EVENTS);
        AvroWireFormat<ImageEvent> format =
                new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
        double[] seconds = {0};
        try (ClipStreamApp app = ClipStreamApp.start(config);
                LabelSetPublisher publisher = new LabelSetPublisher(
                        broker.bootstrapServers(),
                        Map.of(),
                        registry,
                        config.topic(ClipStreamConfig.TOPIC_LABEL_SETS))) {
            publisher.publish(labels);
            app.awaitRunning(Duration.ofSeconds(60));
            while (app.labelSets().snapshot().isEmpty()) {
                Thread.sleep(20);
            }
            // warm-up: group join, first transaction, JIT; not timed
            List<byte[]> warmUp = events.subList(0, Math.min(events.size(), Math.max(10, 2 * batch)));
            produce(broker, topic, format, warmUp, 0, "w");
            String tagsTopic = config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS);
            List<Long> latencies = new ArrayList<>();
            List<Long> completions = new ArrayList<>();
            KafkaConsumer<String, ImageTags> consumer = consumer(broker, tagsTopic, registry);
            try (consumer) {
                await(consumer, warmUp.size(), new ArrayList<>(), new ArrayList<>());
                long start = System.nanoTime();
                Thread producer = new Thread(() -> produce(broker, topic, format, events, rate, "e"));
                producer.start();
                await(consumer, events.size(), latencies, completions);
                seconds[0] = (System.nanoTime() - start) / 1e9;
                producer.join();
            }
            Collections.sort(latencies);
            var batches = app.metrics()
                    .registry()
                    .find("clipstream.inference.batch.size")
                    .summary();
            var inference = app.metrics()
                    .registry()
                    .find("clipstream.inference.latency")
                    .timer();
            double[] peer = peerModel == null
                    ? new double[2]
                    : peer(
                            broker,
                            registry,
                            labels,
                            topic,
                            peerModel,
                            events.size() + Math.min(events.size(), Math.max(10, 2 * batch)));
            E2e result = new E2e(
                    events.size() / seconds[0],
                    steadyRate(completions),
                    latencies.get(latencies.size() / 2 - (latencies.size() % 2 == 0 ? 1 : 0)),
                    latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1),
                    batches == null ? 0 : batches.mean(),
                    inference == null ? 0 : inference.mean(java.util.concurrent.TimeUnit.MILLISECONDS),
                    peer[0],
                    peer[1]);
            progress.printf(
                    Locale.ROOT,
                    "end to end (%s, batch %d%s): %.1f events/s whole run, %.1f steady"
                            + " (p10-p90 of completions), p50 %d ms, p99 %d ms, mean inference batch %.1f%n",
                    name,
                    batch,
                    rate > 0 ? String.format(Locale.ROOT, ", %.1f events/s offered", rate) : "",
                    result.eventsPerSecond(),
                    result.steadyPerSecond(),
                    result.p50(),
                    result.p99(),
                    result.meanBatch());
            return result;
        } finally {
            InMemorySchemaRegistry.drop(scope);
        }
    }

    /**
     * Runs the Python peer ({@code tools/peer/clip_peer.py}) on the same events topic (its own consumer group, so it
     * reads every event the processor just read), with the same label set, and returns its events per second.
     */
    private static final String PYTHON = "/usr/bin/python3";

    private Path peerScript() {
        return Path.of(System.getenv().getOrDefault("CLIPSTREAM_HOME", "."), "tools", "peer", "clip_peer.py");
    }

    /**
     * Runs the Python peer ({@code tools/peer/clip_peer.py}) on the same events topic (its own consumer group, so it
     * reads every event the processor just read), with the same label set, and returns its whole-run and
     * steady-state events per second (zeros when it failed, after printing its stderr).
     */
    private double[] peer(
            EmbeddedKafkaBroker broker,
            InMemorySchemaRegistry registry,
            LabelSet labels,
            String topic,
            Path peerModel,
            int expected)
            throws Exception {
        Path labelFile = Files.createTempFile("bench-labels", ".avro");
        Path stderr = Files.createTempFile("bench-peer", ".err");
        io.clipstream.labels.LabelSetFiles.write(labels, labelFile);
        try (io.clipstream.registry.RegistryHttpServer server =
                new io.clipstream.registry.RegistryHttpServer(registry)) {
            progress.printf("python peer on the same %d events...%n", expected);
            Process process = new ProcessBuilder(
                            PYTHON,
                            peerScript().toString(),
                            "--bootstrap-servers",
                            broker.bootstrapServers(),
                            "--schema-registry",
                            server.url(),
                            "--input-topic",
                            topic,
                            "--output-topic",
                            topic + ".peer",
                            "--group",
                            "peer-" + System.nanoTime(),
                            "--model-dir",
                            peerModel.toString(),
                            "--labels",
                            labelFile.toString(),
                            "--batch-size",
                            Integer.toString(settings.batchSize()),
                            "--expected",
                            Integer.toString(expected),
                            "--threads",
                            Integer.toString(cores))
                    .redirectError(stderr.toFile())
                    .start();
            String last = null;
            try (var reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    last = line;
                }
            }
            if (process.waitFor() != 0 || last == null) {
                List<String> lines = Files.readAllLines(stderr);
                progress.printf("python peer failed (exit %d); the last lines of its stderr:%n", process.exitValue());
                lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(l -> progress.println("  " + l));
                return new double[2];
            }
            var figures = new com.fasterxml.jackson.databind.ObjectMapper().readTree(last);
            double perSecond = figures.path("events_per_s").asDouble();
            double steady = figures.path("steady_events_per_s").asDouble(perSecond);
            progress.printf(Locale.ROOT, "python peer: %.2f events/s whole run, %.2f steady%n", perSecond, steady);
            return new double[] {perSecond, steady};
        } finally {
            Files.deleteIfExists(labelFile);
            Files.deleteIfExists(stderr);
        }
    }

    private static void produce(
            EmbeddedKafkaBroker broker,
            String topic,
            AvroWireFormat<ImageEvent> format,
            List<byte[]> events,
            double rate,
            String prefix) {
        List<ImageEventSender.Image> images = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            images.add(new ImageEventSender.Image(prefix + i, events.get(i)));
        }
        try (ImageEventSender sender = new ImageEventSender(broker.bootstrapServers(), topic, format, "bench")) {
            sender.send(images, rate);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static KafkaConsumer<String, ImageTags> consumer(
            EmbeddedKafkaBroker broker, String topic, InMemorySchemaRegistry registry) {
        Map<String, Object> props = broker.committedReaderConfig("bench-" + System.nanoTime());
        KafkaConsumer<String, ImageTags> consumer = new KafkaConsumer<>(
                props,
                new StringDeserializer(),
                AvroSerdes.serde(ImageTags.class, ImageTags.getClassSchema(), registry, false, false)
                        .deserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** Reads results until {@code expected} more have arrived, collecting their end-to-end latencies and arrivals. */
    private static void await(
            KafkaConsumer<String, ImageTags> consumer, int expected, List<Long> latencies, List<Long> completions) {
        int seen = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (seen < expected && System.nanoTime() < deadline) {
            for (var record : consumer.poll(Duration.ofMillis(50))) {
                latencies.add(record.value().getTimings().getEndToEndMs());
                completions.add(System.nanoTime());
                seen++;
            }
        }
        if (seen < expected) {
            throw new IllegalStateException("only " + seen + " of " + expected + " results arrived");
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
