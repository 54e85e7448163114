package io.clipstream.cli;

import io.clipstream.banks.BankKey;
import io.clipstream.banks.BankTopic;
import io.clipstream.labels.AvroJson;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import io.clipstream.schema.BankSettings;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/** {@code clipstream banks list}: one line per bank with its settings and item counts, as the topic holds them. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List the banks on the banks topic.")
final class BanksListCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    BanksCommand.TopicOptions topic;

    private static final class Summary {
        BankSettings settings;
        int items;
        int withEmbedding;
    }

    @Override
    public Integer call() {
        Map<String, Summary> banks = new TreeMap<>();
        try (SchemaRegistryClient registry = topic.kafka.registry();
                BankTopic reader = topic.open(registry)) {
            for (Map.Entry<String, BankEntry> e :
                    reader.readAll(Duration.ofSeconds(60)).entrySet()) {
                Summary s = banks.computeIfAbsent(BankKey.parse(e.getKey()).bank(), b -> new Summary());
                if (e.getValue().getBody() instanceof BankItem item) {
                    s.items++;
                    s.withEmbedding += item.getEmbedding() == null ? 0 : 1;
                } else {
                    s.settings = (BankSettings) e.getValue().getBody();
                }
            }
        }
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        banks.forEach((name, s) -> {
            var line = out.object().put("bank", name).put("items", s.items).put("withEmbedding", s.withEmbedding);
            if (s.settings == null) {
                line.putNull("settings");
            } else {
                line.set("settings", AvroJson.toJson(s.settings));
            }
            out.write(line);
        });
        return 0;
    }
}
