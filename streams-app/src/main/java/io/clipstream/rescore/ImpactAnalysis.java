package io.clipstream.rescore;

import io.clipstream.labels.CompiledLabelSet;
import io.clipstream.labels.ImageVerdict;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.Policy;
import io.clipstream.schema.Tag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * What a new label set would have done to past traffic: re-scores stored embeddings with the new set and the
 * current one (the processor's own {@link CompiledLabelSet#score}, one matrix product per chunk and set, honouring
 * each set's {@code applies_to}; slices of a chunk on every core) and counts, per policy, flags before and after, newly flagged and no longer flagged,
 * and per label, tags before and after, keeping a few event ids for each line. Not thread-safe: feed it chunks from
 * one thread. Negative banks, which can suppress a live flag, are not consulted.
 */
public final class ImpactAnalysis {

    /** Event ids kept per line. */
    public static final int DEFAULT_SAMPLES = 5;

    private final CompiledLabelSet after;
    private final CompiledLabelSet before;
    private final int samples;
    private final Map<String, PolicyLine> policies = new LinkedHashMap<>();
    private final Map<String, LabelLine> labels = new LinkedHashMap<>();
    private long scanned;
    private long skipped;
    private long appliedBefore;
    private long appliedAfter;

    /** A count with a few of the event ids it counted. */
    public static final class Counted {
        private long count;
        private final List<String> samples = new ArrayList<>();

        void add(String eventId, int keep) {
            count++;
            if (samples.size() < keep) {
                samples.add(eventId);
            }
        }

        public long count() {
            return count;
        }

        public List<String> samples() {
            return List.copyOf(samples);
        }
    }

    /** One policy's figures; a policy only in one set counts zero on the other side. */
    public static final class PolicyLine {
        public final Counted before = new Counted();
        public final Counted after = new Counted();
        public final Counted newlyFlagged = new Counted();
        public final Counted noLongerFlagged = new Counted();
    }

    /** One label's figures. */
    public static final class LabelLine {
        public final Counted before = new Counted();
        public final Counted after = new Counted();
    }

    /**
     * @param after the new set
     * @param before the current set, or null when there is none (everything it flags is new)
     * @param samples event ids kept per line
     */
    public ImpactAnalysis(CompiledLabelSet after, CompiledLabelSet before, int samples) {
        if (before != null && before.dimension() != after.dimension()) {
            throw new IllegalArgumentException("the new set has " + after.dimension() + "-d embeddings and the"
                    + " current one " + before.dimension() + "-d: they are for different models");
        }
        this.after = after;
        this.before = before;
        this.samples = samples;
        if (before != null) {
            before.source().getPolicies().forEach(p -> policies.put(p.getId(), new PolicyLine()));
            before.source().getLabels().forEach(l -> labels.put(l.getId(), new LabelLine()));
        }
        for (Policy p : after.source().getPolicies()) {
            policies.putIfAbsent(p.getId(), new PolicyLine());
        }
        for (CompiledLabel l : after.source().getLabels()) {
            labels.putIfAbsent(l.getId(), new LabelLine());
        }
    }

    /** Re-scores one chunk of stored embeddings. */
    public void add(List<StoredEmbedding> chunk) {
        List<StoredEmbedding> usable = new ArrayList<>(chunk.size());
        for (StoredEmbedding e : chunk) {
            if (e.embedding().length == after.dimension()) {
                usable.add(e);
            } else {
                skipped++;
            }
        }
        scanned += chunk.size();
        if (usable.isEmpty()) {
            return;
        }
        float[][] embeddings = new float[usable.size()][];
        for (int i = 0; i < embeddings.length; i++) {
            embeddings[i] = usable.get(i).embedding();
        }
        List<ImageVerdict> now = scoreInSlices(after, embeddings);
        List<ImageVerdict> was = before == null ? null : scoreInSlices(before, embeddings);
        for (int i = 0; i < embeddings.length; i++) {
            StoredEmbedding e = usable.get(i);
            Set<String> firedBefore = was == null ? Set.of() : fired(before, e, was.get(i), true);
            Set<String> firedAfter = fired(after, e, now.get(i), false);
            for (String policy : firedBefore) {
                policies.get(policy).before.add(e.eventId(), samples);
                if (!firedAfter.contains(policy)) {
                    policies.get(policy).noLongerFlagged.add(e.eventId(), samples);
                }
            }
            for (String policy : firedAfter) {
                policies.get(policy).after.add(e.eventId(), samples);
                if (!firedBefore.contains(policy)) {
                    policies.get(policy).newlyFlagged.add(e.eventId(), samples);
                }
            }
        }
    }

    /**
     * The set's verdicts for the chunk, in order: slices of it scored on the common fork-join pool (each slice one
     * matrix product with the processor's own code), so a large re-score uses every core.
     */
    private static List<ImageVerdict> scoreInSlices(CompiledLabelSet set, float[][] embeddings) {
        int slices = Math.max(1, Math.min(ForkJoinPool.getCommonPoolParallelism() + 1, embeddings.length / 256));
        if (slices == 1) {
            return set.score(embeddings);
        }
        int size = (embeddings.length + slices - 1) / slices;
        List<List<ImageVerdict>> parts = IntStream.range(0, slices)
                .parallel()
                .mapToObj(s -> set.score(
                        Arrays.copyOfRange(embeddings, s * size, Math.min(embeddings.length, (s + 1) * size))))
                .toList();
        List<ImageVerdict> all = new ArrayList<>(embeddings.length);
        parts.forEach(all::addAll);
        return all;
    }

    /** The policies that fired for one event (none when the set does not apply to it); counts tags on the way. */
    private Set<String> fired(CompiledLabelSet set, StoredEmbedding e, ImageVerdict verdict, boolean isBefore) {
        if (!set.appliesTo().matches(e.source(), e.attributes())) {
            return Set.of();
        }
        if (isBefore) {
            appliedBefore++;
        } else {
            appliedAfter++;
        }
        for (Tag tag : verdict.tags()) {
            LabelLine line = labels.get(tag.getLabelId());
            (isBefore ? line.before : line.after).add(e.eventId(), samples);
        }
        Set<String> ids = new HashSet<>();
        for (ImageVerdict.FiredPolicy f : verdict.fired()) {
            ids.add(f.policy().getId());
        }
        return ids;
    }

    public Map<String, PolicyLine> policies() {
        return java.util.Collections.unmodifiableMap(policies);
    }

    public Map<String, LabelLine> labels() {
        return java.util.Collections.unmodifiableMap(labels);
    }

    /** Embeddings read. */
    public long scanned() {
        return scanned;
    }

    /** Embeddings of another width than the sets' (another model), not scored. */
    public long skipped() {
        return skipped;
    }

    /** Embeddings the current set applies to. */
    public long appliedBefore() {
        return appliedBefore;
    }

    /** Embeddings the new set applies to. */
    public long appliedAfter() {
        return appliedAfter;
    }

    public CompiledLabelSet after() {
        return after;
    }

    /** The current set, or null. */
    public CompiledLabelSet before() {
        return before;
    }
}
