package io.clipstream.topology;

import io.clipstream.banks.BankMatcher;
import io.clipstream.banks.BankRecords;
import io.clipstream.banks.BankSnapshot;
import io.clipstream.banks.BankVerdict;
import io.clipstream.image.FetchRejectedException;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.RgbImage;
import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.labels.ImageVerdict;
import io.clipstream.labels.ResultRecords;
import io.clipstream.pdq.PdqDihedral;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.WireFormatException;
import io.clipstream.schema.BankMatch;
import io.clipstream.schema.ImageEmbedding;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.ImageReference;
import io.clipstream.schema.ImageTags;
import io.clipstream.schema.InlineImage;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.Timings;
import io.clipstream.schema.internal.BufferedEvent;
import io.clipstream.topology.DeadLetterRecords.Stage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The heart of the pipeline, one instance per stream task: reads raw image events, sends what cannot be used to
 * dead letters, holds valid events in a changelogged store, and when {@code batch.max.size} events are waiting or
 * the oldest is {@code batch.max.delay.ms} old, decodes them on the shared pool, embeds them through the shared
 * batcher, scores them against one snapshot of the active label sets, matches them against one snapshot of the
 * known-content banks (PDQ from the same decode, CLIP from the same embedding) and forwards tags, flags, bank
 * matches and embeddings.
 *
 * <p>Exactly-once: a buffered event stays in the store until its results are forwarded, and the deletes, the
 * outputs and the input offsets commit in one transaction. After a crash the store is restored as of the last
 * commit and the uncommitted input is read again, so nothing is lost or emitted twice.
 */
final class ImageBatchProcessor implements Processor<byte[], byte[], Object, Object> {

    /** Reason code when an event arrives and no label set is active. */
    static final String NO_LABEL_SET = "NO_LABEL_SET";

    private final String storeName;
    private final SinkNames sinks;
    private final AvroWireFormat<ImageEvent> eventFormat;
    private final PipelineResources resources;
    private final BatchingSettings settings;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, BufferedEvent> buffer;
    private long nextSequence;
    private int buffered;
    private long oldestArrival = Long.MAX_VALUE;

    /** The names of the child sink nodes. */
    record SinkNames(String tags, String flags, String embeddings, String deadLetters, String bankMatches) {
    }

    ImageBatchProcessor(String storeName, SinkNames sinks, AvroWireFormat<ImageEvent> eventFormat,
            PipelineResources resources, BatchingSettings settings) {
        this.storeName = storeName;
        this.sinks = sinks;
        this.eventFormat = eventFormat;
        this.resources = resources;
        this.settings = settings;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.buffer = context.getStateStore(storeName);
        nextSequence = 0;
        buffered = 0;
        try (KeyValueIterator<Long, BufferedEvent> all = buffer.all()) {
            while (all.hasNext()) {
                KeyValue<Long, BufferedEvent> entry = all.next();
                nextSequence = Math.max(nextSequence, entry.key + 1);
                oldestArrival = Math.min(oldestArrival, entry.value.getArrivedAt());
                buffered++;
            }
        }
        long tick = Math.max(1, settings.maxDelay().toMillis() / 4);
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        resources.metrics().eventIn();
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        byte[] value = record.value();
        if (value == null) {
            dead(record.key(), null, record.timestamp(), meta.topic(), meta.partition(), meta.offset(),
                    Stage.VALIDATE, "NULL_VALUE", "the record has no value", null);
            return;
        }
        if (value.length > settings.maxImageBytes() + 65_536) {
            dead(record.key(), value, record.timestamp(), meta.topic(), meta.partition(), meta.offset(),
                    Stage.VALIDATE, "TOO_LARGE", "value of " + value.length + " bytes is over the limit of "
                            + settings.maxImageBytes() + " bytes for the image", null);
            return;
        }
        ImageEvent event;
        try {
            event = eventFormat.read(value);
        } catch (WireFormatException e) {
            dead(record.key(), value, record.timestamp(), meta.topic(), meta.partition(), meta.offset(),
                    Stage.VALIDATE, e.reason().code(), e.getMessage(), e);
            return;
        }
        String problem = validate(event);
        if (problem != null) {
            int colon = problem.indexOf(':');
            dead(record.key(), value, record.timestamp(), meta.topic(), meta.partition(), meta.offset(),
                    Stage.VALIDATE, problem.substring(0, colon), problem.substring(colon + 2), null);
            return;
        }
        long now = context.currentSystemTimeMs();
        buffer.put(nextSequence++, BufferedEvent.newBuilder()
                .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                .setValue(ByteBuffer.wrap(value))
                .setTopic(meta.topic()).setPartition(meta.partition()).setOffset(meta.offset())
                .setTimestamp(record.timestamp()).setArrivedAt(now).build());
        buffered++;
        oldestArrival = Math.min(oldestArrival, now);
        if (buffered >= settings.maxSize()) {
            flush();
        }
    }

    /** A reason code and message ("CODE: message") when the event cannot be used, else null. */
    private String validate(ImageEvent event) {
        if (event.getEventId() == null || event.getEventId().isBlank()) {
            return "MISSING_EVENT_ID: the event has no eventId";
        }
        if (event.getImage() instanceof InlineImage inline) {
            if (inline.getBytes().remaining() > settings.maxImageBytes()) {
                return "TOO_LARGE: image of " + inline.getBytes().remaining() + " bytes is over the limit of "
                        + settings.maxImageBytes() + " bytes";
            }
            return null;
        }
        if (!settings.referencesEnabled()) {
            return "REFERENCE_NOT_ALLOWED: the event references its image by URI and image references are"
                    + " disabled (image.references.enabled=false)";
        }
        return null;
    }

    private void punctuate(long now) {
        if (buffered > 0 && now - oldestArrival >= settings.maxDelay().toMillis()) {
            flush();
        }
    }

    private record Prepared(long sequence, BufferedEvent buffered, ImageEvent event, RgbImage pixels,
            Stage stage, String code, Exception error, PdqDihedral pdq) {
        Prepared(long sequence, BufferedEvent buffered, ImageEvent event, RgbImage pixels, Stage stage, String code,
                Exception error) {
            this(sequence, buffered, event, pixels, stage, code, error, null);
        }
    }

    private void flush() {
        List<KeyValue<Long, BufferedEvent>> entries = new ArrayList<>(buffered);
        try (KeyValueIterator<Long, BufferedEvent> all = buffer.all()) {
            all.forEachRemaining(entries::add);
        }
        if (entries.isEmpty()) {
            buffered = 0;
            oldestArrival = Long.MAX_VALUE;
            return;
        }
        List<Future<Prepared>> futures = new ArrayList<>(entries.size());
        for (KeyValue<Long, BufferedEvent> entry : entries) {
            ImageEvent event = eventFormat.read(bytes(entry.value.getValue()));
            futures.add(resources.decodePool().submit(() -> prepare(entry.key, entry.value, event)));
        }
        List<Prepared> usable = new ArrayList<>(entries.size());
        for (Future<Prepared> future : futures) {
            Prepared prepared = await(future);
            if (prepared.pixels() != null) {
                usable.add(prepared);
            } else {
                BufferedEvent b = prepared.buffered();
                dead(bytes(b.getKey()), bytes(b.getValue()), b.getTimestamp(), b.getTopic(), b.getPartition(),
                        b.getOffset(), prepared.stage(), prepared.code(), prepared.error().getMessage(),
                        prepared.error());
            }
        }
        if (!usable.isEmpty()) {
            embedAndEmit(usable);
        }
        for (KeyValue<Long, BufferedEvent> entry : entries) {
            buffer.delete(entry.key);
        }
        resources.metrics().flushed(entries.size());
        buffered = 0;
        oldestArrival = Long.MAX_VALUE;
    }

    /** Fetches (for references) and preprocesses one event's image; runs on the decode pool. */
    private Prepared prepare(long sequence, BufferedEvent b, ImageEvent event) {
        byte[] image;
        if (event.getImage() instanceof ImageReference reference) {
            try {
                image = settings.fetcher().fetch(reference.getUri(), reference.getSha256());
            } catch (FetchRejectedException e) {
                return new Prepared(sequence, b, event, null, Stage.FETCH, e.reason().code(), e);
            }
        } else {
            image = bytes(((InlineImage) event.getImage()).getBytes());
        }
        try {
            if (!resources.banks().isEmpty()) {
                ImagePreprocessor.PixelsAndPdq decoded = resources.preprocessor().preprocessPixelsAndPdq(image);
                return new Prepared(sequence, b, event, decoded.pixels(), null, null, null, decoded.pdq());
            }
            return new Prepared(sequence, b, event, resources.preprocessor().preprocessPixels(image), null, null,
                    null);
        } catch (ImageRejectedException e) {
            return new Prepared(sequence, b, event, null, Stage.PREPROCESS, e.reason().code(), e);
        } catch (RuntimeException e) {
            return new Prepared(sequence, b, event, null, Stage.PREPROCESS, "DECODE_FAILED", e);
        }
    }

    private static Prepared await(Future<Prepared> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while preprocessing a batch", e);
        } catch (ExecutionException e) {
            throw new StreamsException("preprocessing failed unexpectedly", e.getCause());
        }
    }

    private void embedAndEmit(List<Prepared> usable) {
        List<RgbImage> pixels = new ArrayList<>(usable.size());
        usable.forEach(p -> pixels.add(p.pixels()));
        long inferenceStart = context.currentSystemTimeMs();
        long startNanos = System.nanoTime();
        float[][] embeddings;
        try {
            embeddings = resources.batcher().embed(pixels);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for inference", e);
        }
        long inferenceMs = (System.nanoTime() - startNanos) / 1_000_000;
        List<CompiledLabelSet> sets = selectedSets();
        BankSnapshot banks = resources.banks().snapshot();
        BankVerdict[] bankVerdicts = new BankVerdict[usable.size()];
        long now = context.currentSystemTimeMs();
        for (int i = 0; i < usable.size(); i++) {
            Prepared p = usable.get(i);
            BufferedEvent b = p.buffered();
            bankVerdicts[i] = BankMatcher.match(banks, p.pdq(), embeddings[i]);
            if (sets.isEmpty() && banks.isEmpty()) {
                dead(bytes(b.getKey()), bytes(b.getValue()), b.getTimestamp(), b.getTopic(), b.getPartition(),
                        b.getOffset(), Stage.SCORE, NO_LABEL_SET, "no label set is active"
                                + (resources.labelSetFilter().isEmpty() ? "" : " among "
                                        + resources.labelSetFilter()), null);
                continue;
            }
            if (settings.emitEmbeddings()) {
                List<Float> vector = new ArrayList<>(embeddings[i].length);
                for (float v : embeddings[i]) {
                    vector.add(v);
                }
                context.forward(new Record<Object, Object>(p.event().getEventId(), ImageEmbedding.newBuilder()
                        .setEventId(p.event().getEventId()).setModelId(resources.modelId()).setEmbedding(vector)
                        .build(), b.getTimestamp()), sinks.embeddings());
            }
            emitBankRecords(p, bankVerdicts[i], now);
        }
        if (sets.isEmpty()) {
            return;
        }
        for (CompiledLabelSet set : sets) {
            List<ImageVerdict> verdicts = set.score(embeddings);
            for (int i = 0; i < usable.size(); i++) {
                emit(usable.get(i), set, verdicts.get(i), bankVerdicts[i], inferenceStart, inferenceMs, now);
            }
        }
    }

    private void emit(Prepared p, CompiledLabelSet set, ImageVerdict verdict, BankVerdict bankVerdict,
            long inferenceStart, long inferenceMs, long now) {
        String eventId = p.event().getEventId();
        long occurred = p.event().getOccurredAt().toEpochMilli();
        Timings timings = new Timings(Math.max(0, inferenceStart - p.buffered().getArrivedAt()), inferenceMs,
                now - occurred);
        ImageTags tags = ResultRecords.tags(eventId, resources.modelId(), set, verdict, timings);
        long timestamp = p.buffered().getTimestamp();
        context.forward(new Record<Object, Object>(eventId, tags, timestamp), sinks.tags());
        resources.metrics().tagsOut(1);
        resources.metrics().endToEnd(Duration.ofMillis(now - occurred));
        for (PolicyFlag flag : ResultRecords.flags(eventId, resources.modelId(), set, verdict,
                Instant.ofEpochMilli(now))) {
            if (bankVerdict.suppresses(set.name(), flag.getPolicyId())) {
                continue;
            }
            context.forward(new Record<Object, Object>(eventId, flag, timestamp), sinks.flags());
            resources.metrics().flagOut(flag.getPolicyId(), flag.getAction().name());
        }
    }

    /** The image's bank matches and the flags they raise (see {@link BankRecords}). */
    private void emitBankRecords(Prepared p, BankVerdict verdict, long now) {
        String eventId = p.event().getEventId();
        long timestamp = p.buffered().getTimestamp();
        for (BankMatch match : BankRecords.matches(eventId, verdict, Instant.ofEpochMilli(now))) {
            context.forward(new Record<Object, Object>(eventId, match, timestamp), sinks.bankMatches());
            resources.metrics().bankMatch(match.getBank(), !match.getSuppressedBy().isEmpty());
        }
        for (PolicyFlag flag : BankRecords.flags(eventId, resources.modelId(), verdict, Instant.ofEpochMilli(now))) {
            context.forward(new Record<Object, Object>(eventId, flag, timestamp), sinks.flags());
            resources.metrics().flagOut(flag.getPolicyId(), flag.getAction().name());
        }
    }

    private List<CompiledLabelSet> selectedSets() {
        List<CompiledLabelSet> all = resources.labelSets().snapshot();
        if (resources.labelSetFilter().isEmpty()) {
            return all;
        }
        return all.stream().filter(s -> resources.labelSetFilter().contains(s.name())).toList();
    }

    private void dead(byte[] key, byte[] value, long timestamp, String topic, int partition, long offset,
            Stage stage, String reason, String message, Throwable error) {
        context.forward(DeadLetterRecords.of(key, value, timestamp, topic, partition, offset, stage, reason, message,
                error).withKey((Object) key).withValue((Object) value), sinks.deadLetters());
        resources.metrics().deadLetter(reason);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
