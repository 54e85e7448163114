package io.clipstream.topology;

import io.clipstream.labels.ActiveLabelSets;
import io.clipstream.observe.PipelineMetrics;
import io.clipstream.registry.AvroWireFormat;
import io.clipstream.registry.WireFormatException;
import io.clipstream.schema.LabelSet;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintains the global label-set store from the compacted label-set topic and keeps {@link ActiveLabelSets} in step:
 * every instance sees every set. At start-up the store is restored without this processor, so {@link #init}
 * re-offers what the store holds. Values that cannot be read and sets compiled for another model are refused with a
 * logged error; the previous version stays active.
 */
final class LabelSetStoreProcessor implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(LabelSetStoreProcessor.class);

    private final String storeName;
    private final AvroWireFormat<LabelSet> format;
    private final ActiveLabelSets active;
    private final PipelineMetrics metrics;
    private KeyValueStore<String, byte[]> store;

    LabelSetStoreProcessor(
            String storeName, AvroWireFormat<LabelSet> format, ActiveLabelSets active, PipelineMetrics metrics) {
        this.storeName = storeName;
        this.format = format;
        this.active = active;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(storeName);
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                var entry = all.next();
                offer(entry.key, entry.value);
            }
        }
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.key() == null) {
            LOG.error("Ignored a label-set record without a key (the key must be the label-set name)");
            return;
        }
        if (record.value() == null) {
            store.delete(record.key());
            active.remove(record.key());
            return;
        }
        store.put(record.key(), record.value());
        offer(record.key(), record.value());
    }

    private void offer(String key, byte[] value) {
        LabelSet set;
        try {
            set = format.read(value);
        } catch (WireFormatException e) {
            LOG.error("Refused label-set record {}: {}", key, e.getMessage());
            metrics.labelSetRefused(key);
            return;
        }
        if (active.offer(set) instanceof ActiveLabelSets.Accepted accepted) {
            if (!accepted.set().shadow()) {
                metrics.labelSetActive(accepted.set().name(), accepted.set().version());
            }
        } else {
            metrics.labelSetRefused(set.getName());
        }
    }
}
