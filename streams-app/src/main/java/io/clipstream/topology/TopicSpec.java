package io.clipstream.topology;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with the serdes of its keys and values.
 *
 * @param name the full topic name (prefix included)
 * @param keySerde key serde
 * @param valueSerde value serde
 * @param <K> key type
 * @param <V> value type
 */
public record TopicSpec<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {}
