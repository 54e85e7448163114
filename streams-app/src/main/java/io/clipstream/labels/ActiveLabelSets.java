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
 *
 * <p>A shadow version ({@code mode: shadow}) is held apart, one per name, beside the live version: it is published
 * under the topic key {@link #shadowKey NAME#shadow}, so the compacted topic keeps both.
 */
public final class ActiveLabelSets {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveLabelSets.class);

    private final String modelFingerprint;
    private final int dimension;
    private final Map<String, CompiledLabelSet> active = new ConcurrentHashMap<>();
    private final Map<String, CompiledLabelSet> shadows = new ConcurrentHashMap<>();
    private volatile Map<String, EventSelector> routing = Map.of();

    /** What a shadow version's topic key ends with (label-set names cannot contain {@code #}). */
    public static final String SHADOW_KEY_SUFFIX = "#shadow";

    /** The topic key of a shadow version of {@code name}. */
    public static String shadowKey(String name) {
        return name + SHADOW_KEY_SUFFIX;
    }

    /** The topic key a compiled set is published under: its name, or {@link #shadowKey} for a shadow version. */
    public static String topicKey(LabelSet labelSet) {
        return labelSet.getMode() == io.clipstream.schema.LabelSetMode.SHADOW
                ? shadowKey(labelSet.getName())
                : labelSet.getName();
    }

    /** The outcome of offering a label set. */
    public sealed interface Update permits Accepted, Refused {}

    /** The set is now active for its name. */
    public record Accepted(CompiledLabelSet set) implements Update {}

    /** The set was refused; {@code reason} says why, naming both fingerprints when they differ. */
    public record Refused(String name, String reason) implements Update {}

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

    /**
     * Routing from the processor's configuration: a set named here scores the events its selector matches, whatever
     * its own {@code applies_to} says. Applies to sets offered from now on.
     */
    public ActiveLabelSets routedBy(Map<String, EventSelector> configured) {
        this.routing = Map.copyOf(configured);
        return this;
    }

    /** Offers a published set; accepted sets replace the previous version of the same name. */
    public Update offer(LabelSet offered) {
        LabelSet labelSet = offered;
        EventSelector configured = routing.get(offered.getName());
        if (configured != null) {
            labelSet = LabelSet.newBuilder(offered)
                    .setAppliesTo(configured.toRecord())
                    .build();
        }
        String name = labelSet.getName();
        if (!modelFingerprint.equals(labelSet.getModelFingerprint())) {
            String reason = "label set " + name + " version " + labelSet.getVersion() + " was compiled for model "
                    + labelSet.getModelFingerprint() + " (" + labelSet.getModelId() + ") but this processor runs "
                    + modelFingerprint + "; recompile it with clipstream labels compile --model <this model>";
            LOG.error(
                    "Refused: {}; {}",
                    reason,
                    active.containsKey(name)
                            ? "version " + active.get(name).version() + " stays active"
                            : "no version is active");
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
        if (compiled.shadow()) {
            CompiledLabelSet previous = shadows.put(name, compiled);
            LOG.info(
                    "Label set {} version {} scored in shadow ({} labels){}",
                    name,
                    compiled.version(),
                    compiled.labelCount(),
                    previous == null ? "" : ", replacing shadow version " + previous.version());
            return new Accepted(compiled);
        }
        CompiledLabelSet previous = active.put(name, compiled);
        LOG.info(
                "Label set {} version {} active ({} labels){}",
                name,
                compiled.version(),
                compiled.labelCount(),
                previous == null ? "" : ", replacing version " + previous.version());
        return new Accepted(compiled);
    }

    /** Removes a set (a tombstone on the compacted topic); a {@link #shadowKey} removes the shadow version. */
    public void remove(String name) {
        if (name.endsWith(SHADOW_KEY_SUFFIX)) {
            String setName = name.substring(0, name.length() - SHADOW_KEY_SUFFIX.length());
            if (shadows.remove(setName) != null) {
                LOG.info("Shadow version of label set {} removed", setName);
            }
            return;
        }
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
        return active.values().stream()
                .sorted(java.util.Comparator.comparing(CompiledLabelSet::name))
                .toList();
    }

    /** The shadow versions, sorted by name; scored beside {@link #snapshot}, never emitted as live results. */
    public List<CompiledLabelSet> shadowSnapshot() {
        return shadows.values().stream()
                .sorted(java.util.Comparator.comparing(CompiledLabelSet::name))
                .toList();
    }

    /** The shadow version of {@code name}. */
    public Optional<CompiledLabelSet> shadow(String name) {
        return Optional.ofNullable(shadows.get(name));
    }
}
