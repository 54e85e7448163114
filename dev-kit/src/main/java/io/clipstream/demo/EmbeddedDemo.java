package io.clipstream.demo;

import io.clipstream.app.ClipStreamApp;
import io.clipstream.app.ShutdownSignals;
import io.clipstream.clip.ModelFolder;
import io.clipstream.config.ClipStreamConfig;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.embedded.EmbeddedRunSettings;
import io.clipstream.embedded.ImageEventSender;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.labels.LabelSetCompiler;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.registry.RegistryHttpServer;
import io.clipstream.schema.BankMatch;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Tag;
import io.clipstream.topology.DeadLetterRecords;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The one-command demo: Kafka's own broker in process, an in-memory schema registry served on loopback, the model,
 * the label sets compiled and published, images streamed as events (with a few unusable ones), the processor, and a
 * live view of what comes out, then a summary. Everything it starts is stopped and its files deleted at the end.
 */
public final class EmbeddedDemo {

    private final DemoSettings settings;
    private final PrintStream out;
    private final PrintStream progress;

    public EmbeddedDemo(DemoSettings settings, PrintStream out, PrintStream progress) {
        this.settings = settings;
        this.out = out;
        this.progress = progress;
    }

    /** What the demo saw, for its summary and for tests. */
    public record Summary(
            int events,
            int tagged,
            int deadLetters,
            int withTruth,
            int correct,
            Map<String, Integer> flagsByPolicy,
            Map<String, Integer> deadLettersByReason,
            double eventsPerSecond,
            long p50Ms,
            long p99Ms,
            double meanBatch,
            List<String> bankMatches) {}

    /** Runs the demo to its summary (and, with keep-running, until interrupted). */
    public Summary run() throws Exception {
        Path work = Files.createTempDirectory("clipstream-demo");
        // SIGTERM and Ctrl-C arrive while this thread still holds Kafka and its folder: stop this thread and wait
        // until everything below is closed and deleted, then exit, as run does
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Thread demo = Thread.currentThread();
        try (ShutdownSignals signals = ShutdownSignals.onTermOrInt("clipstream-demo-shutdown", () -> {
            demo.interrupt();
            try {
                cleanedUp.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            return run(work);
        } finally {
            cleanedUp.countDown();
        }
    }

    private Summary run(Path work) throws Exception {
        String scope = "demo-" + ProcessHandle.current().pid();
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.scope(scope);
        List<DemoInputs.Input> inputs = new ArrayList<>(DemoInputs.load(settings.images(), settings.corrupt()));
        ModelFolder folder = ModelFolder.open(settings.model());
        ImagePreprocessor decoder = new ImagePreprocessor(folder.preprocess());
        DemoBanks banks = DemoBanks.choose(inputs, decoder);
        inputs.addAll(banks.edited());
        progress.printf(
                "clipstream demo: %d images from %s, model %s, label sets %s%n",
                inputs.size(), settings.images(), folder.modelId(), settings.labelSets());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder()
                        .logDir(work.resolve("kafka"))
                        .build()
                        .start();
                RegistryHttpServer registryServer = new RegistryHttpServer(registry)) {
            progress.printf(
                    "Kafka broker on %s, schema registry on %s%n", broker.bootstrapServers(), registryServer.url());
            ClipStreamConfig config = EmbeddedRunSettings.of("clipstream-demo", broker.bootstrapServers())
                    .registry(registryServer.url())
                    .model(settings.model())
                    .stateDir(work.resolve("state"))
                    .partitions(2)
                    .set("num.stream.threads", "2")
                    .batch(8, 50)
                    .set("review.items.enabled", "true")
                    .config();
            List<LabelSet> sets = compile(folder);
            try (ClipStreamApp app = ClipStreamApp.start(config);
                    LabelSetPublisher publisher = new LabelSetPublisher(
                            broker.bootstrapServers(),
                            Map.of(),
                            registry,
                            config.topic(ClipStreamConfig.TOPIC_LABEL_SETS))) {
                for (LabelSet set : sets) {
                    publisher.publish(set);
                }
                banks.publish(
                        Map.of("bootstrap.servers", broker.bootstrapServers()),
                        registry,
                        config.topic(ClipStreamConfig.TOPIC_BANKS),
                        decoder);
                progress.printf(
                        "Published bank %s (%d images) and negative bank %s (false positive %s); streaming %d"
                                + " edited copies of banked images%n",
                        DemoBanks.KNOWN,
                        banks.banked().size(),
                        DemoBanks.APPROVED,
                        banks.falsePositive().eventId(),
                        banks.edited().size());
                app.awaitRunning(Duration.ofSeconds(60));
                long banksDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while ((app.banks().size(DemoBanks.KNOWN) < banks.banked().size()
                                || app.banks().size(DemoBanks.APPROVED) < 1)
                        && System.nanoTime() < banksDeadline) {
                    Thread.sleep(20);
                }
                progress.printf("Processor running; metrics on http://127.0.0.1:%d/metrics%n", app.httpPort());
                Summary summary = stream(config, broker, registry, app, inputs, sets);
                printSummary(summary);
                if (settings.keepRunning()) {
                    try (io.clipstream.review.ReviewService console =
                            DemoConsole.start(config, DemoConsole.port(), progress)) {
                        keepRunning(config, broker, registryServer, app, work);
                    }
                }
                return summary;
            }
        } finally {
            InMemorySchemaRegistry.drop(scope);
            deleteTree(work);
        }
    }

    /** Prints where everything is and waits until interrupted (Ctrl-C, SIGTERM). */
    private void keepRunning(
            ClipStreamConfig config,
            EmbeddedKafkaBroker broker,
            RegistryHttpServer registryServer,
            ClipStreamApp app,
            Path work) {
        progress.printf(
                "%nStill running (Ctrl-C stops): Kafka %s, schema registry %s, topics %s,"
                        + " metrics http://127.0.0.1:%d/metrics%n",
                broker.bootstrapServers(),
                registryServer.url(),
                List.of(
                        config.topic(ClipStreamConfig.TOPIC_IMAGE_EVENTS),
                        config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS),
                        config.topic(ClipStreamConfig.TOPIC_POLICY_FLAGS),
                        config.topic(ClipStreamConfig.TOPIC_DEAD_LETTERS),
                        config.topic(ClipStreamConfig.TOPIC_BANK_MATCHES)),
                app.httpPort());
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            progress.printf("Stopping: closing the console, the processor and Kafka, deleting %s%n", work);
        }
    }

    private List<LabelSet> compile(ModelFolder folder) throws Exception {
        List<io.clipstream.labels.LabelSetDefinition> definitions = new ArrayList<>();
        for (Path file : settings.labelSets()) {
            definitions.add(LabelSetParser.parse(file));
        }
        List<LabelSet> sets = LabelSetCompiler.compileFor(folder, definitions);
        for (LabelSet set : sets) {
            progress.printf(
                    "Compiled label set %s version %s: %d labels, %d policies%n",
                    set.getName(),
                    set.getVersion(),
                    set.getLabels().size(),
                    set.getPolicies().size());
        }
        return sets;
    }

    private Summary stream(
            ClipStreamConfig config,
            EmbeddedKafkaBroker broker,
            InMemorySchemaRegistry registry,
            ClipStreamApp app,
            List<DemoInputs.Input> inputs,
            List<LabelSet> sets)
            throws Exception {
        String eventsTopic = config.topic(ClipStreamConfig.TOPIC_IMAGE_EVENTS);
        AvroWireFormat<ImageEvent> format =
                new AvroWireFormat<>(ImageEvent.class, ImageEvent.getClassSchema(), registry, true);
        Map<String, String> truth = new HashMap<>();
        inputs.forEach(i -> truth.put(i.eventId(), i.truth()));
        int expected = inputs.size() + (settings.corrupt() ? 1 : 0);
        Thread producer = new Thread(() -> produce(broker, eventsTopic, format, inputs), "clipstream-demo-producer");
        long start = System.nanoTime();
        producer.start();

        Map<String, Object> props = broker.committedReaderConfig("clipstream-demo-view");
        var tagsSerde = AvroSerdes.serde(ImageTags.class, ImageTags.getClassSchema(), registry, false, false);
        var flagSerde = AvroSerdes.serde(PolicyFlag.class, PolicyFlag.getClassSchema(), registry, false, false);
        String tagsTopic = config.topic(ClipStreamConfig.TOPIC_IMAGE_TAGS);
        String flagsTopic = config.topic(ClipStreamConfig.TOPIC_POLICY_FLAGS);
        String deadTopic = config.topic(ClipStreamConfig.TOPIC_DEAD_LETTERS);
        String matchesTopic = config.topic(ClipStreamConfig.TOPIC_BANK_MATCHES);
        var matchSerde = AvroSerdes.serde(BankMatch.class, BankMatch.getClassSchema(), registry, false, false);
        List<String> bankMatches = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<String> tagged = new HashSet<>();
        Map<String, Integer> flagsByPolicy = new TreeMap<>();
        Map<String, Integer> deadByReason = new TreeMap<>();
        List<Long> latencies = new ArrayList<>();
        int withTruth = 0;
        int correct = 0;
        out.printf("%-28s %-22s %7s  %s%n", "event", "tag (best per group)", "score", "flags / dead letter");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(tagsTopic, flagsTopic, deadTopic, matchesTopic));
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            long lastProgress = 0;
            while (done.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.topic().equals(tagsTopic)) {
                        ImageTags tags = tagsSerde.deserializer().deserialize(tagsTopic, record.value());
                        done.add(tags.getEventId());
                        tagged.add(tags.getEventId());
                        latencies.add(tags.getTimings().getEndToEndMs());
                        String expectedLabel = truth.get(tags.getEventId());
                        if (expectedLabel != null) {
                            withTruth++;
                            boolean hit = tags.getTags().stream()
                                    .anyMatch(t -> t.getLabelId().equals(expectedLabel) && t.getRank() == 1);
                            correct += hit ? 1 : 0;
                        }
                        printTags(tags, expectedLabel);
                    } else if (record.topic().equals(flagsTopic)) {
                        PolicyFlag flag = flagSerde.deserializer().deserialize(flagsTopic, record.value());
                        flagsByPolicy.merge(flag.getPolicyId(), 1, Integer::sum);
                        out.printf(
                                "%-28s %-22s %7s  FLAG %s (%s, %s)%n",
                                shorten(flag.getEventId()),
                                "",
                                "",
                                flag.getPolicyId(),
                                flag.getAction().name().toLowerCase(Locale.ROOT),
                                flag.getSeverity().name().toLowerCase(Locale.ROOT));
                    } else if (record.topic().equals(matchesTopic)) {
                        BankMatch m = matchSerde.deserializer().deserialize(matchesTopic, record.value());
                        String line = describe(m);
                        bankMatches.add(shorten(m.getEventId()) + " -> " + line);
                        out.printf("%-28s %-22s %7s  MATCH %s%n", shorten(m.getEventId()), "", "", line);
                    } else {
                        String reason = DeadLetterRecords.header(record.headers(), DeadLetterRecords.HEADER_REASON);
                        deadByReason.merge(reason, 1, Integer::sum);
                        String key = record.key() == null
                                ? "(no key)"
                                : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
                        done.add(key);
                        out.printf(
                                "%-28s %-22s %7s  DEAD LETTER %s (%s)%n",
                                shorten(key),
                                "",
                                "",
                                reason,
                                DeadLetterRecords.header(record.headers(), DeadLetterRecords.HEADER_STAGE));
                    }
                }
                long now = System.nanoTime();
                if (now - lastProgress > 1_000_000_000L) {
                    lastProgress = now;
                    double seconds = (now - start) / 1e9;
                    var batch = app.metrics()
                            .registry()
                            .find("clipstream.inference.batch.size")
                            .summary();
                    progress.printf(
                            "progress: %d/%d results, %.1f events/s, inference batch mean %.1f, p50 %d ms,"
                                    + " p99 %d ms%n",
                            done.size(),
                            expected,
                            done.size() / seconds,
                            batch == null ? 0 : batch.mean(),
                            percentile(latencies, 0.5),
                            percentile(latencies, 0.99));
                }
            }
        }
        producer.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        var batch =
                app.metrics().registry().find("clipstream.inference.batch.size").summary();
        int dead = deadByReason.values().stream().mapToInt(Integer::intValue).sum();
        return new Summary(
                expected,
                tagged.size(),
                dead,
                withTruth,
                correct,
                flagsByPolicy,
                deadByReason,
                done.size() / seconds,
                percentile(latencies, 0.5),
                percentile(latencies, 0.99),
                batch == null ? 0 : batch.mean(),
                List.copyOf(bankMatches));
    }

    private static String describe(BankMatch m) {
        String how = m.getPdqDistance() == null
                ? String.format(Locale.ROOT, "CLIP %.3f", m.getClipSimilarity())
                : "PDQ distance " + m.getPdqDistance()
                        + ("original".equals(m.getPdqVariant()) ? "" : " (" + m.getPdqVariant() + ")");
        return m.getBank() + "/" + m.getItemId() + ", " + how
                + (m.getSuppressedBy().isEmpty() ? "" : ", overridden by " + String.join(", ", m.getSuppressedBy()));
    }

    private void produce(
            EmbeddedKafkaBroker broker,
            String topic,
            AvroWireFormat<ImageEvent> format,
            List<DemoInputs.Input> inputs) {
        try (ImageEventSender sender =
                new ImageEventSender(broker.bootstrapServers(), topic, format, "clipstream-demo")) {
            sender.send(
                    inputs.stream()
                            .map(i -> new ImageEventSender.Image(i.eventId(), i.image()))
                            .toList(),
                    settings.rate());
            if (settings.corrupt()) {
                sender.sendRaw(
                        "corrupt-not-avro",
                        "{\"eventId\": \"json, not Avro\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void printTags(ImageTags tags, String expectedLabel) {
        List<Tag> best = tags.getTags().stream()
                .filter(t -> t.getRank() == 1)
                .sorted(Comparator.comparing(Tag::getGroup))
                .toList();
        String mark = expectedLabel == null
                ? ""
                : best.stream().anyMatch(t -> t.getLabelId().equals(expectedLabel))
                        ? "  ok"
                        : "  expected " + expectedLabel;
        if (best.isEmpty()) {
            out.printf("%-28s %-22s %7s%s%n", shorten(tags.getEventId()), "(no tag)", "", mark);
        }
        for (int i = 0; i < best.size(); i++) {
            Tag t = best.get(i);
            out.printf(
                    "%-28s %-22s %7.3f%s%n",
                    i == 0 ? shorten(tags.getEventId()) : "", t.getDisplayName(), t.getScore(), i == 0 ? mark : "");
        }
    }

    private void printSummary(Summary s) {
        out.printf(
                "%nSummary: %d events in, %d tagged, %d dead letters (%s)%n",
                s.events(), s.tagged(), s.deadLetters(), s.deadLettersByReason());
        if (s.withTruth() > 0) {
            out.printf(
                    "Accuracy against the generator's ground truth: %d/%d = %.1f%%%n",
                    s.correct(), s.withTruth(), 100.0 * s.correct() / s.withTruth());
        }
        out.printf("Flags by policy: %s%n", s.flagsByPolicy().isEmpty() ? "none" : s.flagsByPolicy());
        out.printf("Bank matches (%d):%n", s.bankMatches().size());
        s.bankMatches().stream().sorted().forEach(m -> out.printf("  %s%n", m));
        out.printf(
                "Throughput %.1f events/s, end-to-end latency p50 %d ms, p99 %d ms, mean inference batch %.1f%n",
                s.eventsPerSecond(), s.p50Ms(), s.p99Ms(), s.meanBatch());
    }

    private static String shorten(String s) {
        return s.length() <= 28 ? s : "…" + s.substring(s.length() - 27);
    }

    private static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p) - 1));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
