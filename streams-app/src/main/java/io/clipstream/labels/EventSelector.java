package io.clipstream.labels;

import io.clipstream.schema.AppliesTo;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which events a label set scores ({@code applies_to} in YAML): an event matches when its source is one of
 * {@code sources} (any source when empty) and it carries every one of {@code attributes} with exactly that value.
 * {@link #ALL} matches every event.
 *
 * @param sources the event sources the set applies to; empty: any
 * @param attributes attribute values an event must carry; empty: no condition
 */
public record EventSelector(List<String> sources, Map<String, String> attributes) {

    /** Matches every event. */
    public static final EventSelector ALL = new EventSelector(List.of(), Map.of());

    public EventSelector {
        sources = List.copyOf(sources);
        attributes = java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
    }

    /** The selector carried by a compiled set ({@link #ALL} when it has none). */
    public static EventSelector of(AppliesTo appliesTo) {
        if (appliesTo == null) {
            return ALL;
        }
        return new EventSelector(appliesTo.getSources(), appliesTo.getAttributes());
    }

    /** The record field, null for {@link #ALL}. */
    public AppliesTo toRecord() {
        if (isAll()) {
            return null;
        }
        return AppliesTo.newBuilder()
                .setSources(sources)
                .setAttributes(attributes)
                .build();
    }

    /** True when it matches every event. */
    public boolean isAll() {
        return sources.isEmpty() && attributes.isEmpty();
    }

    /**
     * Whether an event with this source and these attributes is scored.
     *
     * @param source the event's source, possibly null (then only a selector without sources matches)
     * @param eventAttributes the event's attributes, possibly null
     */
    public boolean matches(CharSequence source, Map<? extends CharSequence, ? extends CharSequence> eventAttributes) {
        if (!sources.isEmpty() && (source == null || !sources.contains(source.toString()))) {
            return false;
        }
        for (Map.Entry<String, String> wanted : attributes.entrySet()) {
            String found = null;
            if (eventAttributes != null) {
                for (Map.Entry<? extends CharSequence, ? extends CharSequence> e : eventAttributes.entrySet()) {
                    if (e.getKey().toString().equals(wanted.getKey())) {
                        found = e.getValue() == null ? null : e.getValue().toString();
                        break;
                    }
                }
            }
            if (!wanted.getValue().equals(found)) {
                return false;
            }
        }
        return true;
    }

    /** Short form for messages and tables, e.g. {@code sources=[uploads, avatars] attributes={surface=kids}}. */
    public String describe() {
        if (isAll()) {
            return "all events";
        }
        StringBuilder out = new StringBuilder();
        if (!sources.isEmpty()) {
            out.append("sources=").append(sources);
        }
        if (!attributes.isEmpty()) {
            out.append(out.isEmpty() ? "" : " ").append("attributes=").append(attributes);
        }
        return out.toString();
    }
}
