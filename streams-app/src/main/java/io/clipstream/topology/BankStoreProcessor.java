package io.clipstream.topology;

import io.clipstream.banks.ActiveBanks;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.WireFormatException;
import io.clipstream.schema.BankEntry;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintains the global banks store from the compacted banks topic and keeps {@link ActiveBanks} in step, one item
 * at a time: every instance sees every bank, and a change is matched against from the next batch on. At start-up
 * the store is restored without this processor, so {@link #init} re-applies what it holds. Values that cannot be
 * read or are inconsistent are refused with a logged error and change nothing.
 */
final class BankStoreProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(BankStoreProcessor.class);

    private final String storeName;
    private final AvroWireFormat<BankEntry> format;
    private final ActiveBanks banks;
    private KeyValueStore<String, byte[]> store;

    BankStoreProcessor(String storeName, AvroWireFormat<BankEntry> format, ActiveBanks banks) {
        this.storeName = storeName;
        this.format = format;
        this.banks = banks;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
        int restored = 0;
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                var entry = all.next();
                apply(entry.key, entry.value);
                restored++;
            }
        }
        if (restored > 0) {
            LOG.info("Restored {} bank records", restored);
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            LOG.error("Ignored a banks record without a key (the key must be NAME or NAME/ITEM)");
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            banks.apply(record.key(), null);
            return;
        }
        if (apply(record.key(), record.value())) {
            store.put(record.key(), record.value());
        }
    }

    private boolean apply(String key, byte[] value) {
        BankEntry entry;
        try {
            entry = format.read(value);
        } catch (WireFormatException e) {
            LOG.error("Refused banks record {}: {}", key, e.getMessage());
            return false;
        }
        return banks.apply(key, entry) instanceof ActiveBanks.Applied;
    }
}
