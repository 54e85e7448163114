package io.clipstream.topology;

import io.clipstream.banks.BankMatcher;
import io.clipstream.banks.BankRecords;
import io.clipstream.banks.BankSnapshot;
import io.clipstream.banks.BankVerdict;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.RgbImage;
import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.labels.ImageVerdict;
import io.clipstream.labels.ResultRecords;
import io.clipstream.pdq.PdqDihedral;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.WireFormatException;
import io.clipstream.review.ReviewItems;
import io.clipstream.review.Thumbnails;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>No event can stall its partition. A flush runs in two steps on the wall-clock punctuator: it first <em>arms</em>
 * a batch, adding one to each event's stored attempt count, and requests a commit; the next punctuation, after
 * that commit, runs the batch. So the count survives a crash, an {@code OutOfMemoryError} or a replaced stream
 * thread. An event whose previous attempt did not finish (a suspect) is armed and run alone, one per commit, so
 * the one at fault is found without blaming the events it was batched with; after {@code processing.max.attempts}
 * it goes to dead letters. Failures of one event (an exception or an {@link Error}) while fetching, decoding or
 * embedding are caught per event; a model run that fails is bisected by the batcher. A batch that fails as a whole
 * (the model embeds nothing) is not counted against its events: it is retried with back-off, and reported to the
 * {@link io.clipstream.observe.ProgressMonitor}, which turns /health DOWN.
 */
final class ImageBatchProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(ImageBatchProcessor.class);

    private final String storeName;
    private final SinkNames sinks;
    private final AvroWireFormat<ImageEvent> eventFormat;
    private final PipelineResources resources;
    private final BatchingSettings settings;

    /** Longest wait for the model on one batch; past it the batch fails as a whole and is retried. */
    static final Duration INFERENCE_TIMEOUT = Duration.ofMinutes(2);
    /** Longest back-off after batches that failed as a whole. */
    static final long MAX_BACKOFF_MS = 30_000;

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<Long, BufferedEvent> buffer;
    private long nextSequence;
    private int buffered;
    private long oldestArrival = Long.MAX_VALUE;
    /** Events whose attempt count was raised in the last punctuation; they run once that is committed. */
    private final List<Long> armed = new ArrayList<>();

    private boolean suspects;
    private long backoffUntil;
    private int failedInARow;

    /** The names of the child sink nodes. */
    record SinkNames(
            String tags, String flags, String embeddings, String deadLetters, String bankMatches, String reviewItems) {}

    ImageBatchProcessor(
            String storeName,
            SinkNames sinks,
            AvroWireFormat<ImageEvent> eventFormat,
            PipelineResources resources,
            BatchingSettings settings) {
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
        armed.clear();
        rescan();
        long tick = Math.max(1, Math.min(10, settings.maxDelay().toMillis() / 4));
        context.schedule(Duration.ofMillis(tick), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    /** Recounts the buffer: size, oldest arrival, next sequence, whether any event is a suspect. */
    private void rescan() {
        buffered = 0;
        oldestArrival = Long.MAX_VALUE;
        suspects = false;
        try (KeyValueIterator<Long, BufferedEvent> all = buffer.all()) {
            while (all.hasNext()) {
                KeyValue<Long, BufferedEvent> entry = all.next();
                nextSequence = Math.max(nextSequence, entry.key + 1);
                oldestArrival = Math.min(oldestArrival, entry.value.getArrivedAt());
                suspects |= entry.value.getAttempts() > 0;
                buffered++;
            }
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        resources.metrics().eventIn();
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        byte[] value = record.value();
        DeadLetter.Source source = new DeadLetter.Source(
                record.key(), value, record.timestamp(), meta.topic(), meta.partition(), meta.offset());
        if (value == null) {
            dead(DeadLetter.of(source, DeadLetterReason.NULL_VALUE, "the record has no value"));
            return;
        }
        if (value.length > settings.maxImageBytes() + 65_536) {
            dead(DeadLetter.of(
                    source,
                    DeadLetterReason.TOO_LARGE,
                    "value of " + value.length + " bytes is over the limit of " + settings.maxImageBytes()
                            + " bytes for the image"));
            return;
        }
        ImageEvent event;
        try {
            event = eventFormat.read(value);
        } catch (WireFormatException e) {
            dead(DeadLetter.of(source, DeadLetterReason.of(e.reason()), e.getMessage())
                    .because(e));
            return;
        }
        DeadLetter invalid = validate(source, event);
        if (invalid != null) {
            dead(invalid);
            return;
        }
        long now = context.currentSystemTimeMs();
        buffer.put(
                nextSequence++,
                BufferedEvent.newBuilder()
                        .setKey(record.key() == null ? null : ByteBuffer.wrap(record.key()))
                        .setValue(ByteBuffer.wrap(value))
                        .setTopic(meta.topic())
                        .setPartition(meta.partition())
                        .setOffset(meta.offset())
                        .setTimestamp(record.timestamp())
                        .setArrivedAt(now)
                        .build());
        buffered++;
        oldestArrival = Math.min(oldestArrival, now);
    }

    /** The dead letter of an event that cannot be used, else null. */
    private DeadLetter validate(DeadLetter.Source source, ImageEvent event) {
        if (event.getEventId() == null || event.getEventId().isBlank()) {
            return DeadLetter.of(source, DeadLetterReason.MISSING_EVENT_ID, "the event has no eventId");
        }
        if (event.getImage() instanceof InlineImage inline) {
            if (inline.getBytes().remaining() > settings.maxImageBytes()) {
                return DeadLetter.of(
                        source,
                        DeadLetterReason.TOO_LARGE,
                        "image of " + inline.getBytes().remaining() + " bytes is over the limit of "
                                + settings.maxImageBytes() + " bytes");
            }
            return null;
        }
        if (!settings.referencesEnabled()) {
            return DeadLetter.of(
                    source,
                    DeadLetterReason.REFERENCE_NOT_ALLOWED,
                    "the event references its image"
                            + " by URI and image references are disabled (image.references.enabled=false)");
        }
        return null;
    }

    private void punctuate(long now) {
        if (!armed.isEmpty()) {
            execute(now);
        }
        if (buffered == 0 || now < backoffUntil) {
            return;
        }
        boolean due = buffered >= settings.maxSize()
                || now - oldestArrival >= settings.maxDelay().toMillis();
        if (due || suspects) {
            arm(due);
        }
    }

    /**
     * Raises the attempt count of the next batch and asks for a commit: one suspect alone when there is one,
     * else up to {@code batch.max.size} fresh events when they are due. A suspect out of attempts goes to dead
     * letters here.
     */
    private void arm(boolean due) {
        List<KeyValue<Long, BufferedEvent>> fresh = new ArrayList<>();
        KeyValue<Long, BufferedEvent> suspect = null;
        List<KeyValue<Long, BufferedEvent>> exhausted = new ArrayList<>();
        try (KeyValueIterator<Long, BufferedEvent> all = buffer.all()) {
            while (all.hasNext()) {
                KeyValue<Long, BufferedEvent> entry = all.next();
                if (entry.value.getAttempts() >= settings.maxAttempts()) {
                    exhausted.add(entry);
                } else if (entry.value.getAttempts() > 0) {
                    suspect = suspect == null ? entry : suspect;
                } else if (fresh.size() < settings.maxSize()) {
                    fresh.add(entry);
                }
            }
        }
        for (KeyValue<Long, BufferedEvent> entry : exhausted) {
            giveUp(entry.key, entry.value, null);
        }
        List<KeyValue<Long, BufferedEvent>> batch = suspect != null ? List.of(suspect) : due ? fresh : List.of();
        for (KeyValue<Long, BufferedEvent> entry : batch) {
            buffer.put(
                    entry.key,
                    BufferedEvent.newBuilder(entry.value)
                            .setAttempts(entry.value.getAttempts() + 1)
                            .build());
            armed.add(entry.key);
        }
        if (!batch.isEmpty() || !exhausted.isEmpty()) {
            context.commit();
        }
        if (!exhausted.isEmpty()) {
            rescan();
        }
    }

    /** Dead-letters an event that used up its attempts, with its last failure when one was seen. */
    private void giveUp(long sequence, BufferedEvent b, EventFailure last) {
        int attempts = b.getAttempts();
        String tail = " (processing.max.attempts=" + settings.maxAttempts() + ")";
        if (last != null) {
            dead(last.deadLetter(source(b), "failed " + attempts + " times" + tail + ", last: " + last.message()));
        } else if (b.getFailureReason() != null) {
            dead(new DeadLetter(
                    source(b),
                    Stage.valueOf(b.getFailureStage()),
                    DeadLetterReason.valueOf(b.getFailureReason()),
                    "processing was started " + attempts + " times without a result" + tail + ", last failure: "
                            + b.getFailureMessage(),
                    null));
        } else {
            dead(DeadLetter.of(
                    source(b),
                    DeadLetterReason.PROCESSING_CRASHED,
                    "processing was started " + attempts + " times and the process or its stream thread died each time"
                            + tail));
        }
        buffer.delete(sequence);
    }

    private record Prepared(
            long sequence,
            BufferedEvent buffered,
            ImageEvent event,
            RgbImage pixels,
            EventFailure failure,
            PdqDihedral pdq,
            RgbImage overview) {
        Prepared(long sequence, BufferedEvent buffered, ImageEvent event, RgbImage pixels, EventFailure failure) {
            this(sequence, buffered, event, pixels, failure, null, null);
        }
    }

    /** Runs the armed batch: decode on the pool, embed, emit; each event ends, or stays for another attempt. */
    private void execute(long now) {
        List<KeyValue<Long, BufferedEvent>> entries = new ArrayList<>(armed.size());
        for (long sequence : armed) {
            BufferedEvent b = buffer.get(sequence);
            if (b != null) {
                entries.add(KeyValue.pair(sequence, b));
            }
        }
        armed.clear();
        List<Future<Prepared>> futures = new ArrayList<>(entries.size());
        for (KeyValue<Long, BufferedEvent> entry : entries) {
            futures.add(resources.decodePool().submit(() -> prepare(entry.key, entry.value)));
        }
        List<Prepared> usable = new ArrayList<>(entries.size());
        for (Future<Prepared> future : futures) {
            Prepared prepared = await(future);
            if (prepared.pixels() != null) {
                usable.add(prepared);
            } else {
                failed(prepared);
            }
        }
        if (!usable.isEmpty() && !embedAndEmit(usable, now)) {
            rescan();
            return;
        }
        resources.metrics().flushed(entries.size());
        resources.progress().batchSucceeded();
        failedInARow = 0;
        rescan();
    }

    /** An event that failed this attempt: dead-lettered, or kept with its failure for another attempt alone. */
    private void failed(Prepared p) {
        BufferedEvent b = p.buffered();
        EventFailure f = p.failure();
        if (!f.retryable() || b.getAttempts() >= settings.maxAttempts()) {
            if (f.retryable()) {
                giveUp(p.sequence(), b, f);
            } else {
                dead(f.deadLetter(source(b), f.message()));
                buffer.delete(p.sequence());
            }
            return;
        }
        LOG.warn(
                "Event at {}-{}@{} failed attempt {} of {} ({}: {}); retrying it alone",
                b.getTopic(),
                b.getPartition(),
                b.getOffset(),
                b.getAttempts(),
                settings.maxAttempts(),
                f.reason(),
                f.message());
        buffer.put(
                p.sequence(),
                BufferedEvent.newBuilder(b)
                        .setFailureStage(f.stage().name())
                        .setFailureReason(f.reason().code())
                        .setFailureMessage(f.message())
                        .build());
    }

    /** Fetches (for references) and preprocesses one event's image; runs on the decode pool; never throws. */
    private Prepared prepare(long sequence, BufferedEvent b) {
        ImageEvent event;
        try {
            event = eventFormat.read(bytes(b.getValue()));
        } catch (RuntimeException e) {
            return new Prepared(
                    sequence,
                    b,
                    null,
                    null,
                    new EventFailure(
                            Stage.VALIDATE,
                            DeadLetterReason.UNREADABLE,
                            "the buffered event cannot be read again: " + e.getMessage(),
                            e,
                            false));
        }
        byte[] image;
        if (event.getImage() instanceof ImageReference reference) {
            try {
                image = settings.fetcher().fetch(reference.getUri(), reference.getSha256());
            } catch (Throwable e) {
                return new Prepared(sequence, b, event, null, EventFailure.of(Stage.FETCH, e));
            }
        } else {
            image = bytes(((InlineImage) event.getImage()).getBytes());
        }
        try {
            boolean pdq = !resources.banks().isEmpty();
            int overview = settings.emitReviewItems() ? Thumbnails.MAX_SIDE : 0;
            if (pdq || overview > 0) {
                ImagePreprocessor.Preprocessed decoded = resources.decoder().decode(image, pdq, overview);
                return new Prepared(sequence, b, event, decoded.pixels(), null, decoded.pdq(), decoded.overview());
            }
            return new Prepared(sequence, b, event, resources.decoder().pixels(image), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Prepared(sequence, b, event, null, EventFailure.of(Stage.PREPROCESS, e));
        } catch (Throwable e) {
            return new Prepared(sequence, b, event, null, EventFailure.of(Stage.PREPROCESS, e));
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

    /**
     * Embeds and emits; false when the batch failed as a whole (its events keep their attempts and wait for the
     * back-off).
     */
    private boolean embedAndEmit(List<Prepared> prepared, long now0) {
        List<RgbImage> pixels = new ArrayList<>(prepared.size());
        prepared.forEach(p -> pixels.add(p.pixels()));
        long inferenceStart = context.currentSystemTimeMs();
        long startNanos = System.nanoTime();
        InferenceBatcher.Outcomes outcomes;
        try {
            outcomes = resources.batcher().embedEach(pixels, INFERENCE_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for inference", e);
        } catch (InferenceBatcher.ModelUnavailableException | java.util.concurrent.TimeoutException e) {
            batchFailed(prepared, now0, e);
            return false;
        }
        List<Prepared> usable = new ArrayList<>(prepared.size());
        List<float[]> vectors = new ArrayList<>(prepared.size());
        for (int i = 0; i < prepared.size(); i++) {
            if (outcomes.embeddings()[i] != null) {
                usable.add(prepared.get(i));
                vectors.add(outcomes.embeddings()[i]);
            } else {
                Prepared p = prepared.get(i);
                failed(new Prepared(
                        p.sequence(),
                        p.buffered(),
                        p.event(),
                        null,
                        EventFailure.of(Stage.EMBED, outcomes.failures()[i])));
            }
        }
        float[][] embeddings = vectors.toArray(new float[0][]);
        long inferenceMs = (System.nanoTime() - startNanos) / 1_000_000;
        List<CompiledLabelSet> sets = selectedSets();
        BankSnapshot banks = resources.banks().snapshot();
        BankVerdict[] bankVerdicts = new BankVerdict[usable.size()];
        List<List<PolicyFlag>> raised = new ArrayList<>(usable.size());
        long now = context.currentSystemTimeMs();
        for (int i = 0; i < usable.size(); i++) {
            Prepared p = usable.get(i);
            BufferedEvent b = p.buffered();
            bankVerdicts[i] = BankMatcher.match(banks, p.pdq(), embeddings[i]);
            raised.add(new ArrayList<>());
            if (sets.isEmpty() && banks.isEmpty()) {
                dead(DeadLetter.of(
                        source(b),
                        DeadLetterReason.NO_LABEL_SET,
                        "no label set is active"
                                + (resources.labelSetFilter().isEmpty()
                                        ? ""
                                        : " among " + resources.labelSetFilter())));
                continue;
            }
            if (settings.emitEmbeddings()) {
                List<Float> vector = new ArrayList<>(embeddings[i].length);
                for (float v : embeddings[i]) {
                    vector.add(v);
                }
                context.forward(
                        new Record<Object, Object>(
                                p.event().getEventId(),
                                ImageEmbedding.newBuilder()
                                        .setEventId(p.event().getEventId())
                                        .setModelId(resources.modelId())
                                        .setEmbedding(vector)
                                        .setSource(p.event().getSource())
                                        .setAttributes(p.event().getAttributes())
                                        .build(),
                                b.getTimestamp()),
                        sinks.embeddings());
            }
            emitBankRecords(p, bankVerdicts[i], now, raised.get(i));
        }
        if (!sets.isEmpty() && !usable.isEmpty()) {
            boolean[] scored = new boolean[usable.size()];
            for (CompiledLabelSet set : sets) {
                score(set, usable, embeddings, scored, bankVerdicts, inferenceStart, inferenceMs, now, raised);
            }
            for (int i = 0; i < usable.size(); i++) {
                if (!scored[i]) {
                    emitNoLabelSetApplies(usable.get(i), inferenceStart, inferenceMs, now);
                }
            }
        }
        for (CompiledLabelSet shadow : shadowSets()) {
            score(
                    shadow,
                    usable,
                    embeddings,
                    new boolean[usable.size()],
                    bankVerdicts,
                    inferenceStart,
                    inferenceMs,
                    now,
                    raised);
        }
        if (settings.emitReviewItems()) {
            for (int i = 0; i < usable.size(); i++) {
                emitReviewItem(usable.get(i), raised.get(i), now);
            }
        }
        for (Prepared p : usable) {
            buffer.delete(p.sequence());
        }
        return true;
    }

    /** The model embedded nothing: the attempt is not the events' fault, so it is given back; back off. */
    private void batchFailed(List<Prepared> prepared, long now, Exception e) {
        for (Prepared p : prepared) {
            BufferedEvent b = p.buffered();
            buffer.put(
                    p.sequence(),
                    BufferedEvent.newBuilder(b)
                            .setAttempts(Math.max(0, b.getAttempts() - 1))
                            .build());
        }
        failedInARow++;
        long backoff = Math.min(MAX_BACKOFF_MS, 1000L << Math.min(15, failedInARow - 1));
        backoffUntil = now + backoff;
        resources.progress().batchFailed(e.getMessage());
        LOG.error(
                "A batch of {} events failed as a whole ({} in a row): {}; retrying in {} ms",
                prepared.size(),
                failedInARow,
                e.getMessage(),
                backoff);
    }

    /**
     * Scores the whole flush with one set (one matrix product) and emits for the events it applies to, marking them
     * in {@code scored}; a shadow set's results go to the shadow sinks only. Live flags are added to
     * {@code raised}, one list per event, for its review item.
     */
    private void score(
            CompiledLabelSet set,
            List<Prepared> usable,
            float[][] embeddings,
            boolean[] scored,
            BankVerdict[] bankVerdicts,
            long inferenceStart,
            long inferenceMs,
            long now,
            List<List<PolicyFlag>> raised) {
        List<ImageVerdict> verdicts = set.score(embeddings);
        int applied = 0;
        for (int i = 0; i < usable.size(); i++) {
            ImageEvent event = usable.get(i).event();
            if (set.appliesTo().matches(event.getSource(), event.getAttributes())) {
                scored[i] = true;
                applied++;
                emit(
                        usable.get(i),
                        set,
                        verdicts.get(i),
                        bankVerdicts[i],
                        inferenceStart,
                        inferenceMs,
                        now,
                        raised.get(i));
            }
        }
        resources.metrics().labelSetScored(set.name(), set.shadow() ? "shadow" : "live", applied);
    }

    /** No active set applies to the event: it still gets a result that says so. */
    private void emitNoLabelSetApplies(Prepared p, long inferenceStart, long inferenceMs, long now) {
        String eventId = p.event().getEventId();
        long occurred = p.event().getOccurredAt().toEpochMilli();
        Timings timings =
                new Timings(Math.max(0, inferenceStart - p.buffered().getArrivedAt()), inferenceMs, now - occurred);
        context.forward(
                new Record<Object, Object>(
                        eventId,
                        ResultRecords.noLabelSetApplies(eventId, resources.modelId(), timings),
                        p.buffered().getTimestamp()),
                sinks.tags());
        resources.metrics().tagsOut(1);
    }

    private void emit(
            Prepared p,
            CompiledLabelSet set,
            ImageVerdict verdict,
            BankVerdict bankVerdict,
            long inferenceStart,
            long inferenceMs,
            long now,
            List<PolicyFlag> raised) {
        String eventId = p.event().getEventId();
        long occurred = p.event().getOccurredAt().toEpochMilli();
        Timings timings =
                new Timings(Math.max(0, inferenceStart - p.buffered().getArrivedAt()), inferenceMs, now - occurred);
        ImageTags tags = ResultRecords.tags(eventId, resources.modelId(), set, verdict, timings);
        long timestamp = p.buffered().getTimestamp();
        String mode = set.shadow() ? "shadow" : "live";
        context.forward(
                new Record<Object, Object>(eventId, tags, timestamp),
                set.shadow() ? ClipStreamTopology.SHADOW_TAGS_SINK : sinks.tags());
        if (!set.shadow()) {
            resources.metrics().tagsOut(1);
            resources.metrics().endToEnd(Duration.ofMillis(now - occurred));
        }
        for (PolicyFlag flag :
                ResultRecords.flags(eventId, resources.modelId(), set, verdict, Instant.ofEpochMilli(now))) {
            if (bankVerdict.suppresses(set.name(), flag.getPolicyId())) {
                continue;
            }
            resources.metrics().labelSetFlag(set.name(), mode, flag.getPolicyId());
            if (set.shadow()) {
                context.forward(
                        new Record<Object, Object>(eventId, flag, timestamp), ClipStreamTopology.SHADOW_FLAGS_SINK);
                continue;
            }
            context.forward(new Record<Object, Object>(eventId, flag, timestamp), sinks.flags());
            resources.metrics().flagOut(flag.getPolicyId(), flag.getAction().name());
            raised.add(flag);
        }
    }

    /** The review item of an event that raised flags: a thumbnail of its pixels and the flags' evidence. */
    private void emitReviewItem(Prepared p, List<PolicyFlag> raised, long now) {
        if (raised.isEmpty()) {
            return;
        }
        String eventId = p.event().getEventId();
        context.forward(
                new Record<Object, Object>(
                        eventId,
                        ReviewItems.of(
                                p.event(),
                                p.overview() != null ? p.overview() : p.pixels(),
                                raised,
                                resources.modelId(),
                                Instant.ofEpochMilli(now)),
                        p.buffered().getTimestamp()),
                sinks.reviewItems());
    }

    /** The image's bank matches and the flags they raise (see {@link BankRecords}). */
    private void emitBankRecords(Prepared p, BankVerdict verdict, long now, List<PolicyFlag> raised) {
        String eventId = p.event().getEventId();
        long timestamp = p.buffered().getTimestamp();
        for (BankMatch match : BankRecords.matches(eventId, verdict, Instant.ofEpochMilli(now))) {
            context.forward(new Record<Object, Object>(eventId, match, timestamp), sinks.bankMatches());
            resources
                    .metrics()
                    .bankMatch(match.getBank(), !match.getSuppressedBy().isEmpty());
        }
        for (PolicyFlag flag : BankRecords.flags(eventId, resources.modelId(), verdict, Instant.ofEpochMilli(now))) {
            context.forward(new Record<Object, Object>(eventId, flag, timestamp), sinks.flags());
            resources.metrics().flagOut(flag.getPolicyId(), flag.getAction().name());
            raised.add(flag);
        }
    }

    private List<CompiledLabelSet> shadowSets() {
        List<CompiledLabelSet> all = resources.labelSets().shadowSnapshot();
        if (resources.labelSetFilter().isEmpty()) {
            return all;
        }
        return all.stream()
                .filter(s -> resources.labelSetFilter().contains(s.name()))
                .toList();
    }

    private List<CompiledLabelSet> selectedSets() {
        List<CompiledLabelSet> all = resources.labelSets().snapshot();
        if (resources.labelSetFilter().isEmpty()) {
            return all;
        }
        return all.stream()
                .filter(s -> resources.labelSetFilter().contains(s.name()))
                .toList();
    }

    private void dead(DeadLetter letter) {
        Record<byte[], byte[]> record = DeadLetterRecords.of(letter);
        context.forward(record.withKey((Object) record.key()).withValue((Object) record.value()), sinks.deadLetters());
        resources.metrics().deadLetter(letter.reason().code());
    }

    private static DeadLetter.Source source(BufferedEvent b) {
        return new DeadLetter.Source(
                bytes(b.getKey()),
                bytes(b.getValue()),
                b.getTimestamp(),
                b.getTopic(),
                b.getPartition(),
                b.getOffset());
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
