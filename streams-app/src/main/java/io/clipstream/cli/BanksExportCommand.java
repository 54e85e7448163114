package io.clipstream.cli;

import io.clipstream.banks.BankKey;
import io.clipstream.banks.BankTopic;
import io.clipstream.labels.AvroJson;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream banks export --bank NAME [--format csv|json]}: the bank's items: {@code hash,quality,id} CSV
 * (what {@code banks import} reads back; items without a hash are left out) or JSON lines of the full items.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Print a bank's items as hash,quality,id CSV (importable) or JSON lines.")
final class BanksExportCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    BanksCommand.TopicOptions topic;

    @Option(names = "--bank", required = true, paramLabel = "NAME", description = "Bank name.")
    String bank;

    @Option(
            names = "--format",
            defaultValue = "csv",
            paramLabel = "FORMAT",
            description = "csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
        boolean csv =
                switch (format.toLowerCase(Locale.ROOT)) {
                    case "csv" -> true;
                    case "json" -> false;
                    default -> throw new IllegalArgumentException("--format must be csv or json, got '" + format + "'");
                };
        PrintWriter out = spec.commandLine().getOut();
        JsonLines json = new JsonLines(out);
        try (SchemaRegistryClient registry = topic.kafka.registry();
                BankTopic reader = topic.open(registry)) {
            if (csv) {
                out.println("hash,quality,id");
            }
            for (Map.Entry<String, BankEntry> e :
                    reader.readAll(Duration.ofSeconds(60)).entrySet()) {
                if (!BankKey.parse(e.getKey()).bank().equals(bank)
                        || !(e.getValue().getBody() instanceof BankItem item)) {
                    continue;
                }
                if (!csv) {
                    json.write(AvroJson.toJson(item));
                } else if (item.getPdq() != null) {
                    out.println(item.getPdq() + "," + item.getQuality() + "," + item.getId());
                }
            }
            out.flush();
        }
        return 0;
    }
}
