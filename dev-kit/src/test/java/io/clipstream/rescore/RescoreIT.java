package io.clipstream.rescore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.cli.ClipstreamCommand;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.labels.LabelSetFiles;
import io.clipstream.labels.LabelSetPublisher;
import io.clipstream.registry.AvroSerdes;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.registry.RegistryHttpServer;
import io.clipstream.schema.AppliesTo;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.GroupScoring;
import io.clipstream.schema.ImageEmbedding;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.Policy;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.PolicyMatch;
import io.clipstream.schema.Severity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code labels impact} and {@code labels backfill} on the real embedded broker, over 2,000 embeddings retained on
 * the image-embeddings topic, with every count checked against a direct computation (plain dot products and the
 * sets' thresholds, written out here).
 */
class RescoreIT {

    private static final int DIMENSION = 32;
    private static final int EVENTS = 2000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EmbeddedKafkaBroker broker;
    private InMemorySchemaRegistry registry;
    private RegistryHttpServer registryServer;
    private String scope;
    private final Random random = new Random(14);
    private final float[] a = unit(random);
    private final float[] b = unit(random);
    private final float[] c = unit(random);
    private final List<float[]> embeddings = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        broker = EmbeddedKafkaBroker.builder()
                .logDir(dir.resolve("kafka"))
                .build()
                .start();
        scope = "rescore-it-" + System.nanoTime();
        registry = InMemorySchemaRegistry.scope(scope);
        registryServer = new RegistryHttpServer(registry);
        broker.createTopic("image-embeddings", 2, Map.of());
        try (KafkaProducer<String, ImageEmbedding> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ProducerConfig.LINGER_MS_CONFIG,
                        20),
                new StringSerializer(),
                AvroSerdes.serde(ImageEmbedding.class, ImageEmbedding.getClassSchema(), registry, true, false)
                        .serializer())) {
            for (int i = 0; i < EVENTS; i++) {
                float[] e = unit(random);
                embeddings.add(e);
                List<Float> boxed = new ArrayList<>();
                for (float v : e) {
                    boxed.add(v);
                }
                producer.send(new ProducerRecord<>(
                        "image-embeddings",
                        i % 2,
                        "e" + i,
                        ImageEmbedding.newBuilder()
                                .setEventId("e" + i)
                                .setModelId("tiny-image-tower")
                                .setEmbedding(boxed)
                                .setSource(source(i))
                                .setAttributes(Map.of("surface", i % 3 == 0 ? "kids" : "adults"))
                                .build()));
            }
        }
    }

    @AfterEach
    void stop() {
        registryServer.close();
        broker.close();
        InMemorySchemaRegistry.drop(scope);
    }

    private static String source(int i) {
        return i % 2 == 0 ? "uploads" : "avatars";
    }

    private static float[] unit(Random random) {
        float[] v = new float[DIMENSION];
        double norm = 0;
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
            norm += v[i] * v[i];
        }
        for (int i = 0; i < DIMENSION; i++) {
            v[i] /= (float) Math.sqrt(norm);
        }
        return v;
    }

    private static List<Float> boxed(float[] v) {
        List<Float> out = new ArrayList<>();
        for (float x : v) {
            out.add(x);
        }
        return out;
    }

    /** The current set: x.a (0.2) and x.b (0.25), policies p-a any [x.a] and p-b any [x.b], every event. */
    private LabelSet current() {
        return set(
                "1",
                List.of(label("x.a", a, 0.2f), label("x.b", b, 0.25f)),
                List.of(policy("p-a", PolicyMatch.ANY, "x.a"), policy("p-b", PolicyMatch.ANY, "x.b")),
                null);
    }

    /** The new set: x.a lowered to 0.15, x.b gone, x.c (0.1), p-a and p-ac all [x.a, x.c]; uploads only. */
    private LabelSet proposed() {
        return set(
                "2",
                List.of(label("x.a", a, 0.15f), label("x.c", c, 0.1f)),
                List.of(policy("p-a", PolicyMatch.ANY, "x.a"), policy("p-ac", PolicyMatch.ALL, "x.a", "x.c")),
                AppliesTo.newBuilder()
                        .setSources(List.of("uploads"))
                        .setAttributes(Map.of())
                        .build());
    }

    private static LabelSet set(
            String version, List<CompiledLabel> labels, List<Policy> policies, AppliesTo appliesTo) {
        return LabelSet.newBuilder()
                .setName("safety")
                .setVersion(version)
                .setModelId("tiny")
                .setModelFingerprint("sha256:tiny")
                .setDimension(DIMENSION)
                .setGroups(List.of(LabelGroup.newBuilder()
                        .setName("x")
                        .setScoring(GroupScoring.THRESHOLD)
                        .build()))
                .setLabels(labels)
                .setPolicies(policies)
                .setCompiledAt(Instant.parse("2026-12-01T00:00:00Z"))
                .setAppliesTo(appliesTo)
                .build();
    }

    private static CompiledLabel label(String id, float[] embedding, float threshold) {
        return CompiledLabel.newBuilder()
                .setId(id)
                .setDisplayName(id)
                .setGroup("x")
                .setThreshold(threshold)
                .setEmbedding(boxed(embedding))
                .build();
    }

    private static Policy policy(String id, PolicyMatch match, String... labels) {
        return Policy.newBuilder()
                .setId(id)
                .setMatch(match)
                .setLabels(List.of(labels))
                .setAction(PolicyAction.REVIEW)
                .setSeverity(Severity.LOW)
                .build();
    }

    private static boolean over(float[] e, float[] label, float threshold) {
        float sum = 0;
        for (int d = 0; d < DIMENSION; d++) {
            sum += e[d] * label[d];
        }
        return sum >= threshold;
    }

    /** Direct computation: which events each policy flags under the current and the new set. */
    private Map<String, List<Integer>> direct() {
        Map<String, List<Integer>> flagged = new HashMap<>();
        for (String key : List.of(
                "before:p-a",
                "before:p-b",
                "after:p-a",
                "after:p-ac",
                "tags-before:x.a",
                "tags-before:x.b",
                "tags-after:x.a",
                "tags-after:x.c")) {
            flagged.put(key, new ArrayList<>());
        }
        for (int i = 0; i < EVENTS; i++) {
            float[] e = embeddings.get(i);
            boolean beforeA = over(e, a, 0.2f);
            boolean beforeB = over(e, b, 0.25f);
            if (beforeA) {
                flagged.get("before:p-a").add(i);
                flagged.get("tags-before:x.a").add(i);
            }
            if (beforeB) {
                flagged.get("before:p-b").add(i);
                flagged.get("tags-before:x.b").add(i);
            }
            if (!source(i).equals("uploads")) {
                continue;
            }
            boolean afterA = over(e, a, 0.15f);
            boolean afterC = over(e, c, 0.1f);
            if (afterA) {
                flagged.get("after:p-a").add(i);
                flagged.get("tags-after:x.a").add(i);
            }
            if (afterC) {
                flagged.get("tags-after:x.c").add(i);
            }
            if (afterA && afterC) {
                flagged.get("after:p-ac").add(i);
            }
        }
        return flagged;
    }

    private record Run(int exit, String out, String err) {}

    private Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = ClipstreamCommand.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static long count(JsonNode lines, String field, String id, String column) {
        for (JsonNode line : lines) {
            if (line.path(field).asText().equals(id)) {
                return line.path(column).path("count").asLong();
            }
        }
        throw new AssertionError("no line " + id);
    }

    @Test
    void impactOnTwoThousandRetainedEmbeddingsMatchesADirectComputation() throws Exception {
        Path current = dir.resolve("current.avro");
        Path proposed = dir.resolve("proposed.avro");
        LabelSetFiles.write(current(), current);
        LabelSetFiles.write(proposed(), proposed);
        Run run = cli(
                "labels",
                "impact",
                "--labels",
                proposed.toString(),
                "--against",
                current.toString(),
                "--from-offsets",
                "0:0,1:0",
                "--json",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry",
                registryServer.url());
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode report = JSON.readTree(run.out());
        Map<String, List<Integer>> direct = direct();
        System.out.printf(
                "impact on %d embeddings: direct p-a %d -> %d, p-b %d -> 0, p-ac 0 -> %d%n",
                EVENTS,
                direct.get("before:p-a").size(),
                direct.get("after:p-a").size(),
                direct.get("before:p-b").size(),
                direct.get("after:p-ac").size());
        assertThat(report.path("embeddings").asLong()).isEqualTo(EVENTS);
        assertThat(report.path("appliedBefore").asLong()).isEqualTo(EVENTS);
        assertThat(report.path("appliedAfter").asLong()).isEqualTo(EVENTS / 2);
        JsonNode policies = report.path("policies");
        assertThat(count(policies, "policy", "p-a", "before"))
                .isEqualTo(direct.get("before:p-a").size());
        assertThat(count(policies, "policy", "p-a", "after"))
                .isEqualTo(direct.get("after:p-a").size());
        assertThat(count(policies, "policy", "p-b", "before"))
                .isEqualTo(direct.get("before:p-b").size());
        assertThat(count(policies, "policy", "p-b", "after")).isZero();
        assertThat(count(policies, "policy", "p-b", "noLongerFlagged"))
                .isEqualTo(direct.get("before:p-b").size());
        assertThat(count(policies, "policy", "p-ac", "newlyFlagged"))
                .isEqualTo(direct.get("after:p-ac").size());
        long newlyA = direct.get("after:p-a").stream()
                .filter(i -> !direct.get("before:p-a").contains(i))
                .count();
        long goneA = direct.get("before:p-a").stream()
                .filter(i -> !direct.get("after:p-a").contains(i))
                .count();
        assertThat(count(policies, "policy", "p-a", "newlyFlagged")).isEqualTo(newlyA);
        assertThat(count(policies, "policy", "p-a", "noLongerFlagged")).isEqualTo(goneA);
        assertThat(newlyA).isPositive();
        assertThat(goneA)
                .as("odd (avatars) events are no longer scored by the new set")
                .isPositive();
        JsonNode labels = report.path("labels");
        assertThat(count(labels, "label", "x.a", "before"))
                .isEqualTo(direct.get("tags-before:x.a").size());
        assertThat(count(labels, "label", "x.a", "after"))
                .isEqualTo(direct.get("tags-after:x.a").size());
        assertThat(count(labels, "label", "x.b", "after")).isZero();
        assertThat(count(labels, "label", "x.c", "after"))
                .isEqualTo(direct.get("tags-after:x.c").size());
        JsonNode sample = policies.get(0).path("newlyFlagged").path("samples");
        assertThat(sample).hasSize(5);
        int first = Integer.parseInt(sample.get(0).asText().substring(1));
        assertThat(direct.get("after:p-a")).contains(first);
        assertThat(direct.get("before:p-a")).doesNotContain(first);

        // without --against: the current version is the live one on the label-set topic
        try (LabelSetPublisher publisher =
                new LabelSetPublisher(broker.bootstrapServers(), Map.of(), registry, "label-sets")) {
            publisher.publish(current());
        }
        Run fromTopic = cli(
                "labels",
                "impact",
                "--labels",
                proposed.toString(),
                "--from-offsets",
                "0:0,1:0",
                "--json",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry",
                registryServer.url());
        assertThat(fromTopic.exit()).as(fromTopic.err()).isZero();
        assertThat(JSON.readTree(fromTopic.out())).isEqualTo(report);

        Run table = cli(
                "labels",
                "impact",
                "--labels",
                proposed.toString(),
                "--from-offsets",
                "0:0,1:0",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry",
                registryServer.url());
        assertThat(table.out())
                .startsWith("impact of label set safety version 2 against version 1\n"
                        + "2000 embeddings re-scored; the set applies to 1000 (current: 2000)\n\nPOLICY");
        assertThat(table.out())
                .containsPattern("\np-b +" + direct.get("before:p-b").size() + " +0 +\\+0 +-"
                        + direct.get("before:p-b").size() + " +no longer: e");
    }

    @Test
    void promoteMakesTheShadowVersionLiveAndRemovesTheShadowKey() throws Exception {
        LabelSet shadow = proposed();
        shadow.setMode(io.clipstream.schema.LabelSetMode.SHADOW);
        try (LabelSetPublisher publisher =
                new LabelSetPublisher(broker.bootstrapServers(), Map.of(), registry, "label-sets")) {
            publisher.publish(current());
            publisher.publish(shadow);
        }
        Map<String, Object> client = Map.of("bootstrap.servers", broker.bootstrapServers());
        assertThat(LabelSetTopicReader.read(client, registry, "label-sets"))
                .containsOnlyKeys("safety", "safety#shadow");
        Run wrong = cli(
                "labels",
                "promote",
                "safety",
                "--version",
                "3",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry",
                registryServer.url());
        assertThat(wrong.exit()).isNotZero();
        assertThat(wrong.err()).contains("the shadow version of label set safety is 2, not 3");

        Run promoted = cli(
                "labels",
                "promote",
                "safety",
                "--version",
                "2",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry",
                registryServer.url());
        assertThat(promoted.exit()).as(promoted.err()).isZero();
        assertThat(JSON.readTree(promoted.out()).path("replaced").asText()).isEqualTo("1");
        Map<String, LabelSet> after = LabelSetTopicReader.read(client, registry, "label-sets");
        assertThat(after).containsOnlyKeys("safety");
        assertThat(after.get("safety").getVersion()).isEqualTo("2");
        assertThat(after.get("safety").getMode()).isEqualTo(io.clipstream.schema.LabelSetMode.LIVE);
        assertThat(after.get("safety").getAppliesTo().getSources()).containsExactly("uploads");
    }

    private <T> Map<String, List<T>> readCommitted(
            String topic, Deserializer<T> values, int atLeast, Duration timeout) {
        Map<String, List<T>> seen = new HashMap<>();
        int records = 0;
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(
                broker.committedReaderConfig("verify-" + System.nanoTime()), new StringDeserializer(), values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            long settle = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, settle)) {
                for (ConsumerRecord<String, T> record : consumer.poll(Duration.ofMillis(200))) {
                    seen.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.value());
                    records++;
                }
                if (records >= atLeast && settle == Long.MAX_VALUE) {
                    settle = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return seen;
    }

    @Test
    void backfillKilledWithSigkillInTheMiddleResumesWithoutRepeatingOrSkipping() throws Exception {
        try (LabelSetPublisher publisher =
                new LabelSetPublisher(broker.bootstrapServers(), Map.of(), registry, "label-sets")) {
            publisher.publish(proposed());
        }
        broker.createTopic("image-tags", 2, Map.of());
        broker.createTopic("policy-flags", 2, Map.of());
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                "io.clipstream.cli.ClipstreamCommand",
                "labels",
                "backfill",
                "--labels",
                "safety",
                "--from-offsets",
                "0:0,1:0",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry",
                registryServer.url(),
                "--kafka-property",
                "max.poll.records=10");
        Path log = dir.resolve("backfill.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("CLIPSTREAM_"));
        Process child = builder.start();
        Deserializer<ImageTags> tagsIn = AvroSerdes.serde(
                        ImageTags.class, ImageTags.getClassSchema(), registry, false, false)
                .deserializer();
        int before;
        try (KafkaConsumer<String, ImageTags> consumer = new KafkaConsumer<>(
                broker.committedReaderConfig("watch-" + System.nanoTime()), new StringDeserializer(), tagsIn)) {
            consumer.subscribe(List.of("image-tags"));
            before = 0;
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (before < 200 && System.nanoTime() < deadline && child.isAlive()) {
                before += consumer.poll(Duration.ofMillis(50)).count();
            }
        }
        assertThat(child.isAlive())
                .as("the backfill is still running when killed; log:\n" + Files.readString(log))
                .isTrue();
        child.destroyForcibly();
        child.waitFor();
        int partial = readCommitted("image-tags", tagsIn, 0, Duration.ofSeconds(3)).values().stream()
                .mapToInt(List::size)
                .sum();
        System.out.printf("backfill killed with SIGKILL after %d of %d results were committed%n", partial, EVENTS / 2);
        assertThat(partial).isBetween(200, EVENTS / 2 - 1);

        Run resumed = cli(
                "labels",
                "backfill",
                "--labels",
                "safety",
                "--from-offsets",
                "0:0,1:0",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry",
                registryServer.url());
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        JsonNode outcome = JSON.readTree(resumed.out());
        assertThat(outcome.path("resumed").asBoolean()).isTrue();

        Map<String, List<ImageTags>> tags = readCommitted("image-tags", tagsIn, EVENTS / 2, Duration.ofSeconds(30));
        Map<String, List<PolicyFlag>> flags = readCommitted(
                "policy-flags",
                AvroSerdes.serde(PolicyFlag.class, PolicyFlag.getClassSchema(), registry, false, false)
                        .deserializer(),
                1,
                Duration.ofSeconds(10));
        Map<String, List<Integer>> direct = direct();
        assertThat(tags).hasSize(EVENTS / 2);
        for (int i = 0; i < EVENTS; i += 2) {
            List<ImageTags> once = tags.get("e" + i);
            assertThat(once).as("e" + i).hasSize(1);
            assertThat(once.get(0).getBackfill()).isTrue();
            assertThat(once.get(0).getLabelSetVersion()).isEqualTo("2");
            assertThat(once.get(0).getModelId())
                    .as("the model that embedded the image")
                    .isEqualTo("tiny-image-tower");
        }
        assertThat(tags.keySet()).allMatch(id -> Integer.parseInt(id.substring(1)) % 2 == 0);
        long flagCount = flags.values().stream().mapToLong(List::size).sum();
        assertThat(flagCount)
                .isEqualTo(direct.get("after:p-a").size()
                        + direct.get("after:p-ac").size());
        assertThat(flags.values().stream().flatMap(List::stream)).allMatch(PolicyFlag::getBackfill);
        for (List<PolicyFlag> perEvent : flags.values()) {
            assertThat(perEvent.stream().map(PolicyFlag::getPolicyId).distinct().count())
                    .as("no duplicate flag")
                    .isEqualTo(perEvent.size());
        }
        assertThat(outcome.path("tags").asLong())
                .as("the resumed run wrote exactly the rest")
                .isEqualTo(EVENTS / 2 - partial);

        Run again = cli(
                "labels",
                "backfill",
                "--labels",
                "safety",
                "--from-offsets",
                "0:0,1:0",
                "--bootstrap-servers",
                broker.bootstrapServers(),
                "--schema-registry",
                registryServer.url());
        assertThat(JSON.readTree(again.out()).path("read").asLong())
                .as("a finished backfill does nothing")
                .isZero();
    }
}
