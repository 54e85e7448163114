package io.clipstream.labels;

import io.clipstream.clip.Embeddings;
import io.clipstream.clip.TextEncoder;
import io.clipstream.schema.CompiledLabel;
import io.clipstream.schema.LabelGroup;
import io.clipstream.schema.LabelSet;
import io.clipstream.schema.Policy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles a label set into text embeddings with CLIP's prompt ensembling: every prompt of a label is embedded and
 * L2-normalised, the embeddings are averaged, and the mean is normalised again. Counter prompts are embedded one by
 * one. The result is the {@link LabelSet} record published on the label-set topic.
 */
public final class LabelSetCompiler {

    private final TextEncoder encoder;
    private final String modelFingerprint;
    private final Clock clock;

    /**
     * @param encoder the text tower of the model the set is compiled for
     * @param modelFingerprint that model's {@link ModelFingerprint}
     * @param clock stamps {@code compiledAt}
     */
    public LabelSetCompiler(TextEncoder encoder, String modelFingerprint, Clock clock) {
        this.encoder = encoder;
        this.modelFingerprint = modelFingerprint;
        this.clock = clock;
    }

    /**
     * Compiles {@code definitions} for the model in {@code folder}: opens its text tower once (on the CPU), compiles
     * each, closes it.
     */
    public static java.util.List<LabelSet> compileFor(
            io.clipstream.clip.ModelFolder folder, java.util.List<LabelSetDefinition> definitions) {
        try (TextEncoder encoder = TextEncoder.open(folder, io.clipstream.clip.InferenceOptions.defaults())) {
            LabelSetCompiler compiler = new LabelSetCompiler(encoder, ModelFingerprint.of(folder), Clock.systemUTC());
            return definitions.stream().map(compiler::compile).toList();
        }
    }

    /** Compiles one definition for the model in {@code folder}. */
    public static LabelSet compileFor(io.clipstream.clip.ModelFolder folder, LabelSetDefinition definition) {
        return compileFor(folder, java.util.List.of(definition)).get(0);
    }

    /** Compiles a validated definition. */
    public LabelSet compile(LabelSetDefinition definition) {
        List<String> prompts = new ArrayList<>();
        for (LabelSetDefinition.Label label : definition.labels()) {
            prompts.addAll(label.prompts());
            prompts.addAll(label.counterPrompts());
        }
        float[][] embedded = encoder.embed(prompts);
        int dimension = embedded.length == 0 ? 0 : embedded[0].length;
        List<CompiledLabel> labels = new ArrayList<>();
        int next = 0;
        for (LabelSetDefinition.Label label : definition.labels()) {
            float[][] own = new float[label.prompts().size()][];
            for (int i = 0; i < own.length; i++) {
                own[i] = embedded[next++];
            }
            List<List<Float>> counters = new ArrayList<>();
            for (int i = 0; i < label.counterPrompts().size(); i++) {
                counters.add(boxed(embedded[next++]));
            }
            labels.add(CompiledLabel.newBuilder()
                    .setId(label.id())
                    .setDisplayName(label.displayName())
                    .setGroup(label.group())
                    .setThreshold(label.threshold())
                    .setEmbedding(boxed(ensemble(own)))
                    .setCounterEmbeddings(counters)
                    .setPrompts(label.prompts())
                    .build());
        }
        List<LabelGroup> groups = new ArrayList<>();
        for (LabelSetDefinition.Group group : definition.groups()) {
            groups.add(LabelGroup.newBuilder()
                    .setName(group.name())
                    .setScoring(group.scoring())
                    .setLogitScale(group.logitScale())
                    .setTopK(group.topK())
                    .setMinProbability(group.minProbability())
                    .build());
        }
        List<Policy> policies = new ArrayList<>();
        for (LabelSetDefinition.Policy policy : definition.policies()) {
            policies.add(Policy.newBuilder()
                    .setId(policy.id())
                    .setMatch(policy.match())
                    .setLabels(policy.selectors())
                    .setMinScore(policy.minScore())
                    .setAction(policy.action())
                    .setSeverity(policy.severity())
                    .build());
        }
        return LabelSet.newBuilder()
                .setName(definition.name())
                .setVersion(definition.version())
                .setDescription(definition.description())
                .setModelId(definition.model())
                .setModelFingerprint(modelFingerprint)
                .setDimension(dimension)
                .setGroups(groups)
                .setLabels(labels)
                .setPolicies(policies)
                .setCompiledAt(clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                .setMode(definition.mode())
                .setAppliesTo(definition.appliesTo().toRecord())
                .build();
    }

    /** CLIP's prompt ensemble: the normalised mean of normalised prompt embeddings. */
    static float[] ensemble(float[][] normalised) {
        float[] mean = new float[normalised[0].length];
        for (float[] e : normalised) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += e[i];
            }
        }
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= normalised.length;
        }
        return Embeddings.l2Normalize(mean);
    }

    private static List<Float> boxed(float[] values) {
        List<Float> list = new ArrayList<>(values.length);
        for (float v : values) {
            list.add(v);
        }
        return list;
    }
}
