package io.clipstream.cli;

import io.clipstream.banks.BankKey;
import io.clipstream.banks.BankTopic;
import io.clipstream.banks.HashListParser;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream banks import --bank NAME FILE}: publishes a partner's PDQ hash list (see
 * {@link HashListParser} for the formats) as bank items. The whole file is checked before anything is published.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Import a PDQ hash list (hash,quality[,id] CSV, ThreatExchange export, plain hex lines).")
final class BanksImportCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    BanksCommand.TopicOptions topic;

    @Option(names = "--bank", required = true, paramLabel = "NAME", description = "Bank name.")
    String bank;

    @Option(
            names = "--source",
            paramLabel = "TEXT",
            description = "Where the list came from (default: the file" + " name).")
    String source;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why these hashes are in the bank.")
    String reason;

    @Option(names = "--added-by", paramLabel = "WHO", description = "Who added them (default: $USER).")
    String addedBy = System.getenv("USER");

    @Parameters(index = "0", paramLabel = "FILE", description = "The hash list.")
    Path file;

    @Override
    public Integer call() throws IOException {
        BankKey.requireName(bank);
        List<HashListParser.Entry> parsed;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            parsed = HashListParser.parse(in);
        } catch (HashListParser.MalformedLineException e) {
            throw new IllegalArgumentException(file + " " + e.getMessage() + "; nothing was imported", e);
        }
        Instant now = Instant.now();
        String from = source != null ? source : file.getFileName().toString();
        List<Map.Entry<BankKey, BankEntry>> records = parsed.stream()
                .map(p -> {
                    BankEntry entry = new BankEntry(
                            bank,
                            BankItem.newBuilder()
                                    .setId(p.id())
                                    .setPdq(p.hash().toHex())
                                    .setQuality(p.quality())
                                    .setSource(from)
                                    .setReason(reason)
                                    .setAddedBy(addedBy)
                                    .setAddedAt(now)
                                    .build());
                    return Map.entry(BankTopic.keyOf(entry), entry);
                })
                .toList();
        long last = -1;
        try (SchemaRegistryClient registry = topic.kafka.registry();
                BankTopic banks = topic.open(registry)) {
            List<Long> offsets = banks.publish(records);
            last = offsets.isEmpty() ? -1 : offsets.get(offsets.size() - 1);
        }
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        out.write(out.object()
                .put("bank", bank)
                .put("file", file.toString())
                .put("imported", records.size())
                .put("lastOffset", last));
        return 0;
    }
}
