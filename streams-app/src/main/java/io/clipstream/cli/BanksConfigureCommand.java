package io.clipstream.cli;

import io.clipstream.banks.BankKey;
import io.clipstream.banks.BankTopic;
import io.clipstream.labels.AvroJson;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankKind;
import io.clipstream.schema.BankSettings;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code clipstream banks configure --bank NAME [...]}: publishes a bank's settings. */
@Command(
        name = "configure",
        mixinStandardHelpOptions = true,
        description = "Publish a bank's settings: kind, thresholds, action, and what a negative bank overrides.")
final class BanksConfigureCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    BanksCommand.TopicOptions topic;

    @Option(names = "--bank", required = true, paramLabel = "NAME", description = "Bank name.")
    String bank;

    @Option(
            names = "--kind",
            defaultValue = "positive",
            paramLabel = "KIND",
            description = "positive (known content to act on) or negative (known false positives).")
    String kind;

    @Option(names = "--disabled", description = "Keep the bank but do not match against it.")
    boolean disabled;

    @Option(
            names = "--pdq-max-distance",
            defaultValue = "31",
            paramLabel = "BITS",
            description = "Largest PDQ Hamming distance that matches (default: ${DEFAULT-VALUE}).")
    int pdqMaxDistance;

    @Option(
            names = "--pdq-min-quality",
            defaultValue = "50",
            paramLabel = "Q",
            description = "Least PDQ quality of image and item (default: ${DEFAULT-VALUE}).")
    int pdqMinQuality;

    @Option(
            names = "--no-dihedral",
            description = "Match images only as they are, not their eight rotations and"
                    + " mirrorings (one lookup per image instead of eight; for very large banks).")
    boolean noDihedral;

    @Option(
            names = "--clip-min-similarity",
            paramLabel = "COSINE",
            description = "Least CLIP cosine for a CLIP match (default: no CLIP matching).")
    Float clipMinSimilarity;

    @Option(
            names = "--action",
            paramLabel = "ACTION",
            description = "allow, review or block: raise a PolicyFlag on a match (default: record matches only).")
    String action;

    @Option(
            names = "--severity",
            defaultValue = "medium",
            paramLabel = "SEVERITY",
            description = "low, medium, high or critical (default: ${DEFAULT-VALUE}).")
    String severity;

    @Option(
            names = "--suppresses-bank",
            paramLabel = "BANK",
            description = "Negative banks: a positive bank" + " whose matches this bank overrides; repeatable.")
    List<String> suppressesBanks = List.of();

    @Option(
            names = "--suppresses-policy",
            paramLabel = "SET/POLICY",
            description = "Negative banks: a label-set"
                    + " policy (labelSet/policyId, or policyId for any set) this bank overrides; repeatable.")
    List<String> suppressesPolicies = List.of();

    @Option(names = "--description", defaultValue = "", paramLabel = "TEXT", description = "What the bank holds.")
    String description;

    @Override
    public Integer call() {
        BankKey.requireName(bank);
        BankKind bankKind = enumValue(BankKind.class, kind, "--kind");
        if (bankKind == BankKind.POSITIVE && (!suppressesBanks.isEmpty() || !suppressesPolicies.isEmpty())) {
            throw new IllegalArgumentException("--suppresses-bank and --suppresses-policy are for --kind negative");
        }
        BankSettings settings = BankSettings.newBuilder()
                .setKind(bankKind)
                .setEnabled(!disabled)
                .setPdqMaxDistance(pdqMaxDistance)
                .setPdqMinQuality(pdqMinQuality)
                .setPdqDihedral(!noDihedral)
                .setClipMinSimilarity(clipMinSimilarity)
                .setAction(action == null ? null : enumValue(PolicyAction.class, action, "--action"))
                .setSeverity(enumValue(Severity.class, severity, "--severity"))
                .setSuppressesBanks(suppressesBanks)
                .setSuppressesPolicies(suppressesPolicies)
                .setDescription(description)
                .setUpdatedAt(Instant.now())
                .build();
        BankEntry entry = new BankEntry(bank, settings);
        try (SchemaRegistryClient registry = topic.kafka.registry();
                BankTopic banks = topic.open(registry)) {
            long offset = banks.publish(List.of(Map.entry(BankTopic.keyOf(entry), entry)))
                    .get(0);
            JsonLines out = new JsonLines(spec.commandLine().getOut());
            out.write(out.object()
                    .put("topic", topic.topic)
                    .put("key", bank)
                    .put("offset", offset)
                    .set("settings", AvroJson.toJson(settings)));
        }
        return 0;
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, String value, String option) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    option + " must be one of "
                            + java.util.Arrays.stream(type.getEnumConstants())
                                    .map(c -> c.name().toLowerCase(Locale.ROOT))
                                    .toList()
                            + ", got '" + value + "'",
                    e);
        }
    }
}
