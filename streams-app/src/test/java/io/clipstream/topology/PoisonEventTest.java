package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.clip.TestModels;
import io.clipstream.image.RgbImage;
import io.clipstream.observe.ProgressMonitor;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.internal.BufferedEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: one event that fails with an exception or an Error (OutOfMemoryError, StackOverflowError), while
 * decoding or in the model, never stalls its partition: it ends in dead letters after {@code processing.max.attempts}
 * with a typed reason, its batch is processed, and the attempt count lives in the buffered event. A model that
 * fails on everything dead-letters nothing and turns health DOWN.
 */
class PoisonEventTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private TestPipeline pipeline;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> events;
    private TestOutputTopic<String, ImageTags> tags;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private final AtomicReference<byte[]> poisonPixels = new AtomicReference<>();

    private void start(
            Map<String, String> overrides,
            UnaryOperator<Function<List<RgbImage>, float[][]>> model,
            UnaryOperator<PixelDecoder> decoder,
            ProgressMonitor progress) {
        pipeline = new TestPipeline(dir, overrides, model, decoder, progress);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "poison-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        driver = new TopologyTestDriver(pipeline.topology(), props, START);
        Topics t = pipeline.topics;
        events = driver.createInputTopic(
                t.imageEvents().name(),
                new ByteArraySerializer(),
                new ByteArraySerializer(),
                START,
                Duration.ofMillis(10));
        TestInputTopic<String, LabelSet> labelSets = driver.createInputTopic(
                t.labelSets().name(),
                new StringSerializer(),
                t.labelSets().valueSerde().serializer());
        labelSets.pipeInput("demo", ClipStreamTopologyTest.labelSet("1", TestPipeline.FINGERPRINT));
        tags = driver.createOutputTopic(
                t.imageTags().name(),
                new StringDeserializer(),
                t.imageTags().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(
                t.deadLetters().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private byte[] event(String id, byte[] image) {
        return pipeline.topics
                .eventFormat()
                .write(
                        pipeline.topics.imageEvents().name() + "-value",
                        ImageEvent.newBuilder()
                                .setEventId(id)
                                .setOccurredAt(START)
                                .setSource("test")
                                .setImage(new InlineImage(ByteBuffer.wrap(image)))
                                .build());
    }

    private static byte[] image(String name) throws IOException {
        return Files.readAllBytes(TestModels.committed("reference-images").resolve(name));
    }

    private void punctuate() {
        driver.advanceWallClockTime(Duration.ofMillis(10));
    }

    private KeyValueStore<Long, BufferedEvent> store() {
        return driver.getKeyValueStore(ClipStreamTopology.BUFFER_STORE);
    }

    private record Dead(String key, String reason, String stage, String message) {}

    private List<Dead> dead() {
        List<Dead> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : deadLetters.readRecordsToList()) {
            ImageEvent e = pipeline.topics.eventFormat().read(r.value());
            out.add(new Dead(
                    e.getEventId(),
                    DeadLetterRecords.header(r.headers(), DeadLetterRecords.HEADER_REASON),
                    DeadLetterRecords.header(r.headers(), DeadLetterRecords.HEADER_STAGE),
                    DeadLetterRecords.header(r.headers(), DeadLetterRecords.HEADER_MESSAGE)));
        }
        return out;
    }

    /** A decoder that throws {@code error} for every image equal to {@code poison}. */
    private static UnaryOperator<PixelDecoder> failingOn(byte[] poison, Error error) {
        return decoder -> encoded -> {
            if (Arrays.equals(encoded, poison)) {
                throw error;
            }
            return decoder.pixels(encoded);
        };
    }

    private void pipeFourWithPoisonSecond(byte[] good, byte[] poison) {
        events.pipeInput(event("a", good));
        events.pipeInput(event("poison", poison));
        events.pipeInput(event("b", good));
        events.pipeInput(event("c", good));
    }

    @Test
    void anOutOfMemoryErrorWhileDecodingDeadLettersThatEventAfterItsAttemptsAndTheBatchGoesOn() throws IOException {
        byte[] good = image("astronaut.jpg");
        byte[] poison = image("chelsea.png");
        start(
                Map.of("batch.max.size", "4", "processing.max.attempts", "3"),
                m -> m,
                failingOn(poison, new OutOfMemoryError("Java heap space")),
                ProgressMonitor.defaults());
        pipeFourWithPoisonSecond(good, poison);
        punctuate();
        assertThat(store().get(1L).getAttempts())
                .as("armed and committed before it runs")
                .isEqualTo(1);
        punctuate();
        assertThat(tags.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("a", "b", "c");
        BufferedEvent kept = store().get(1L);
        assertThat(kept.getAttempts())
                .as("failed once, and at once armed again to run alone")
                .isEqualTo(2);
        assertThat(kept.getFailureReason()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(store().approximateNumEntries()).isEqualTo(1);
        assertThat(deadLetters.isEmpty()).isTrue();
        for (int i = 0; i < 4; i++) {
            punctuate();
        }
        List<Dead> dead = dead();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).key()).isEqualTo("poison");
        assertThat(dead.get(0).reason()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(dead.get(0).stage()).isEqualTo("preprocess");
        assertThat(dead.get(0).message())
                .startsWith("failed 3 times (processing.max.attempts=3), last:" + " OutOfMemoryError: Java heap space");
        assertThat(store().approximateNumEntries()).isZero();
        events.pipeInput(event("after", good));
        events.pipeInput(event("after2", good));
        events.pipeInput(event("after3", good));
        events.pipeInput(event("after4", good));
        punctuate();
        punctuate();
        assertThat(tags.readKeyValuesToList())
                .extracting(kv -> kv.key)
                .containsExactly("after", "after2", "after3", "after4");
    }

    @Test
    void aStackOverflowErrorIsResourceExhaustedToo() throws IOException {
        byte[] good = image("astronaut.jpg");
        byte[] poison = image("chelsea.png");
        start(
                Map.of("batch.max.size", "4", "processing.max.attempts", "2"),
                m -> m,
                failingOn(poison, new StackOverflowError()),
                ProgressMonitor.defaults());
        pipeFourWithPoisonSecond(good, poison);
        for (int i = 0; i < 4; i++) {
            punctuate();
        }
        assertThat(tags.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("a", "b", "c");
        List<Dead> dead = dead();
        assertThat(dead)
                .extracting(Dead::key, Dead::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("poison", "RESOURCE_EXHAUSTED"));
        assertThat(dead.get(0).message()).contains("StackOverflowError");
    }

    @Test
    void anErrorThatGoesAwayOnRetryEndsWithATagAndNoDeadLetter() throws IOException {
        byte[] good = image("astronaut.jpg");
        byte[] poison = image("chelsea.png");
        AtomicBoolean failedOnce = new AtomicBoolean();
        start(
                Map.of("batch.max.size", "4"),
                m -> m,
                decoder -> encoded -> {
                    if (Arrays.equals(encoded, poison) && failedOnce.compareAndSet(false, true)) {
                        throw new OutOfMemoryError("Java heap space");
                    }
                    return decoder.pixels(encoded);
                },
                ProgressMonitor.defaults());
        pipeFourWithPoisonSecond(good, poison);
        for (int i = 0; i < 4; i++) {
            punctuate();
        }
        assertThat(tags.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("a", "b", "c", "poison");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aModelRunThatFailsOnOneImageIsBisectedAndOnlyThatEventIsDeadLettered() throws Exception {
        byte[] good = image("astronaut.jpg");
        byte[] poison = image("chelsea.png");
        AtomicInteger runs = new AtomicInteger();
        start(
                Map.of("batch.max.size", "4", "processing.max.attempts", "2"),
                model -> images -> {
                    runs.incrementAndGet();
                    if (images.stream().anyMatch(i -> Arrays.equals(i.pixels(), poisonPixels.get()))) {
                        throw new IllegalStateException("ONNX Runtime: invalid input");
                    }
                    return model.apply(images);
                },
                d -> d,
                ProgressMonitor.defaults());
        poisonPixels.set(
                pipeline.encoder.preprocessor().preprocessPixels(poison).pixels());
        pipeFourWithPoisonSecond(good, poison);
        punctuate();
        punctuate();
        assertThat(tags.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("a", "b", "c");
        // 4 fail, halves [a, poison] fail and [b, c] pass, then a passes and poison fails alone
        assertThat(runs.get()).isEqualTo(5);
        punctuate();
        punctuate();
        List<Dead> dead = dead();
        assertThat(dead)
                .extracting(Dead::key, Dead::reason, Dead::stage)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("poison", "EMBED_FAILED", "embed"));
        assertThat(dead.get(0).message()).contains("ONNX Runtime: invalid input");
    }

    @Test
    void aModelThatFailsOnEverythingDeadLettersNothingAndTurnsHealthDown() throws IOException {
        byte[] good = image("astronaut.jpg");
        long[] clock = {0};
        ProgressMonitor progress = new ProgressMonitor(2, 3, Duration.ofMinutes(10), () -> clock[0]);
        start(
                Map.of("batch.max.size", "2"),
                model -> images -> {
                    throw new IllegalStateException("CUDA error: device lost");
                },
                d -> d,
                progress);
        events.pipeInput(event("a", good));
        events.pipeInput(event("b", good));
        punctuate();
        punctuate();
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(tags.isEmpty()).isTrue();
        assertThat(store().get(0L).getAttempts())
                .as("a systemic failure is not the event's attempt")
                .isZero();
        assertThat(progress.check().ok()).isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        punctuate();
        assertThat(progress.check().ok()).isFalse();
        assertThat(progress.check().detail())
                .startsWith("2 batches in a row failed (limit 2), last:")
                .contains("CUDA error: device lost");
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(store().approximateNumEntries()).isEqualTo(2);
    }

    @Test
    void anEventRestoredWithItsAttemptsUsedUpByCrashesIsDeadLetteredAndASuspectRunsAlone() throws IOException {
        byte[] good = image("astronaut.jpg");
        start(
                Map.of("batch.max.size", "4", "processing.max.attempts", "3"),
                m -> m,
                d -> d,
                ProgressMonitor.defaults());
        // as the store is restored after three crashes during "crashed" and one during "suspect"
        store().put(1000L, buffered("crashed", good, 3));
        store().put(1001L, buffered("suspect", good, 1));
        events.pipeInput(event("fresh", good));
        driver.advanceWallClockTime(Duration.ofMillis(100));
        List<Dead> dead = dead();
        assertThat(dead)
                .extracting(Dead::key, Dead::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("crashed", "PROCESSING_CRASHED"));
        assertThat(dead.get(0).message())
                .isEqualTo("processing was started 3 times and the process or its stream"
                        + " thread died each time (processing.max.attempts=3)");
        assertThat(store().get(1001L).getAttempts()).isEqualTo(2);
        punctuate();
        assertThat(tags.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("suspect");
        punctuate();
        assertThat(tags.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("fresh");
        assertThat(store().approximateNumEntries()).isZero();
    }

    private BufferedEvent buffered(String id, byte[] image, int attempts) {
        return BufferedEvent.newBuilder()
                .setKey(null)
                .setValue(ByteBuffer.wrap(event(id, image)))
                .setTopic(pipeline.topics.imageEvents().name())
                .setPartition(0)
                .setOffset(100 + attempts)
                .setTimestamp(START.toEpochMilli())
                .setArrivedAt(START.toEpochMilli())
                .setAttempts(attempts)
                .build();
    }
}
