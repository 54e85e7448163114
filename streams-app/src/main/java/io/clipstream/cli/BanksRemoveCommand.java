package io.clipstream.cli;

import io.clipstream.banks.BankKey;
import io.clipstream.banks.BankTopic;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream banks remove --bank NAME (--item-id ID... | --all)}: publishes tombstones: for the named items,
 * or for every item of the bank and its settings.
 */
@Command(
        name = "remove",
        mixinStandardHelpOptions = true,
        description = "Remove items from a bank, or the whole bank (--all), with tombstones.")
final class BanksRemoveCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    BanksCommand.TopicOptions topic;

    @Option(names = "--bank", required = true, paramLabel = "NAME", description = "Bank name.")
    String bank;

    @Option(names = "--item-id", paramLabel = "ID", description = "Item to remove; repeatable.")
    List<String> itemIds = List.of();

    @Option(names = "--all", description = "Remove every item and the settings of the bank.")
    boolean all;

    @Override
    public Integer call() {
        BankKey.requireName(bank);
        if (all == !itemIds.isEmpty()) {
            throw new IllegalArgumentException("give --item-id ID (repeatable) or --all");
        }
        List<Map.Entry<BankKey, BankEntry>> tombstones = new ArrayList<>();
        try (SchemaRegistryClient registry = topic.kafka.registry();
                BankTopic banks = topic.open(registry)) {
            if (all) {
                for (Map.Entry<String, BankEntry> e :
                        banks.readAll(Duration.ofSeconds(60)).entrySet()) {
                    BankKey key = BankKey.parse(e.getKey());
                    if (key.bank().equals(bank)) {
                        tombstones.add(new AbstractMap.SimpleEntry<>(key, null));
                    }
                }
            } else {
                itemIds.forEach(id -> tombstones.add(new AbstractMap.SimpleEntry<>(new BankKey.Item(bank, id), null)));
            }
            banks.publish(tombstones);
        }
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        out.write(out.object().put("bank", bank).put("removed", tombstones.size()));
        return 0;
    }
}
