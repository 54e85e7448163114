package io.clipstream.review;

import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The console's state read from the stores of its Kafka Streams app ({@link ReviewStateTopology}). */
final class StreamsReviewState implements ReviewState {

    private final KafkaStreams streams;

    StreamsReviewState(KafkaStreams streams) {
        this.streams = streams;
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    @Override
    public List<ReviewItem> items() {
        return all(() -> store(ReviewStateTopology.ITEMS_STORE));
    }

    @Override
    public ReviewItem item(String eventId) {
        return retry(
                () -> this.<ReviewItem>store(ReviewStateTopology.ITEMS_STORE).get(eventId));
    }

    @Override
    public ReviewDecision decision(String key) {
        return retry(() ->
                this.<ReviewDecision>store(ReviewStateTopology.DECISIONS_STORE).get(key));
    }

    @Override
    public List<ReviewDecision> decisions() {
        return all(() -> store(ReviewStateTopology.DECISIONS_STORE));
    }

    private <V> List<V> all(Supplier<ReadOnlyKeyValueStore<String, V>> store) {
        return retry(() -> {
            List<V> out = new ArrayList<>();
            try (KeyValueIterator<String, V> it = store.get().all()) {
                while (it.hasNext()) {
                    KeyValue<String, V> kv = it.next();
                    out.add(kv.value);
                }
            }
            return out;
        });
    }

    /** Stores are briefly unavailable while the app starts or rebalances; wait up to 10 s for them. */
    private static <T> T retry(Supplier<T> read) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return read.get();
            } catch (InvalidStateStoreException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
