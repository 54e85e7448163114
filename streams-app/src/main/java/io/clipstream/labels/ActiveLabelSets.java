package io.clipstream.labels;

import io.clipstream.schema.LabelSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The label sets a processor scores with: one active {@link CompiledLabelSet} per name, swapped atomically when a
 * new version arrives. A set compiled for another model (fingerprint) is refused with a logged error and the
 * previous version stays active. Thread-safe.
 */
public final class ActiveLabelSets {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveLabelSets.class);

    private final String modelFingerprint;
    private final int dimension;
    private final Map<String, CompiledLabelSet> active = new ConcurrentHashMap<>();

    /** The outcome of offering a label set. */
    public sealed interface Update permits Accepted, Refused {
    }

    /** The set is now active for its name. */
    public record Accepted(CompiledLabelSet set) implements Update {
    }

    /** The set was refused; {@code reason} says why, naming both fingerprints when they differ. */
    public record Refused(String name, String reason) implements Update {
    }

    /** @param modelFingerprint the {@link ModelFingerprint} of the model this processor runs */
    public ActiveLabelSets(String modelFingerprint) {
        this(modelFingerprint, 0);
    }

    /**
     * @param modelFingerprint the {@link ModelFingerprint} of the model this processor runs
     * @param dimension the model's embedding width; sets of another width are refused (0: not checked)
     */
    public ActiveLabelSets(String modelFingerprint, int dimension) {
        this.modelFingerprint = modelFingerprint;
        this.dimension = dimension;
    }

    /** Offers a published set; accepted sets replace the previous version of the same name. */
    public Update offer(LabelSet labelSet) {
        String name = labelSet.getName();
        if (!modelFingerprint.equals(labelSet.getModelFingerprint())) {
            String reason = "label set " + name + " version " + labelSet.getVersion() + " was compiled for model "
                    + labelSet.getModelFingerprint() + " (" + labelSet.getModelId() + ") but this processor runs "
                    + modelFingerprint + "; recompile it with clipstream labels compile --model <this model>";
            LOG.error("Refused: {}; {}", reason, active.containsKey(name)
                    ? "version " + active.get(name).version() + " stays active" : "no version is active");
            return new Refused(name, reason);
        }
        if (dimension > 0 && labelSet.getDimension() != dimension) {
            String reason = "label set " + name + " version " + labelSet.getVersion() + " has "
                    + labelSet.getDimension() + "-d embeddings but the model's are " + dimension + "-d";
            LOG.error("Refused: {}", reason);
            return new Refused(name, reason);
        }
        CompiledLabelSet compiled;
        try {
            compiled = CompiledLabelSet.of(labelSet);
        } catch (IllegalArgumentException e) {
            LOG.error("Refused label set {} version {}: {}", name, labelSet.getVersion(), e.getMessage());
            return new Refused(name, e.getMessage());
        }
        CompiledLabelSet previous = active.put(name, compiled);
        LOG.info("Label set {} version {} active ({} labels){}", name, compiled.version(), compiled.labelCount(),
                previous == null ? "" : ", replacing version " + previous.version());
        return new Accepted(compiled);
    }

    /** Removes a set (a tombstone on the compacted topic). */
    public void remove(String name) {
        if (active.remove(name) != null) {
            LOG.info("Label set {} removed", name);
        }
    }

    /** The active version of {@code name}. */
    public Optional<CompiledLabelSet> get(String name) {
        return Optional.ofNullable(active.get(name));
    }

    /** A consistent snapshot of every active set, sorted by name; one batch is scored against one snapshot. */
    public List<CompiledLabelSet> snapshot() {
        return active.values().stream().sorted(java.util.Comparator.comparing(CompiledLabelSet::name)).toList();
    }
}
