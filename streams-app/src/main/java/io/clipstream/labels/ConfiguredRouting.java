package io.clipstream.labels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Routing set in the processor's configuration ({@code labels.applies.to}) rather than in the label set: entries
 * {@code NAME:source=uploads|avatars&surface=kids}, each replacing the named set's own {@code applies_to}.
 * {@code source} lists the sources (separated by {@code |}); every other key is an attribute that must have that
 * value; {@code NAME:} alone applies the set to every event.
 */
public final class ConfiguredRouting {

    private ConfiguredRouting() {}

    /**
     * Parses the entries.
     *
     * @throws IllegalArgumentException naming the entry that is malformed
     */
    public static Map<String, EventSelector> parse(List<String> entries) {
        Map<String, EventSelector> routing = new LinkedHashMap<>();
        for (String raw : entries) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("'" + entry + "' is not NAME:source=A|B&KEY=VALUE");
            }
            String name = entry.substring(0, colon);
            List<String> sources = new ArrayList<>();
            Map<String, String> attributes = new TreeMap<>();
            String conditions = entry.substring(colon + 1);
            for (String condition : conditions.isEmpty() ? new String[0] : conditions.split("&")) {
                int eq = condition.indexOf('=');
                if (eq <= 0 || eq == condition.length() - 1) {
                    throw new IllegalArgumentException(
                            "'" + entry + "': condition '" + condition + "' is not KEY=VALUE");
                }
                String key = condition.substring(0, eq);
                String value = condition.substring(eq + 1);
                if (key.equals("source")) {
                    sources.addAll(List.of(value.split("\\|")));
                } else {
                    attributes.put(key, value);
                }
            }
            if (routing.put(name, new EventSelector(sources, attributes)) != null) {
                throw new IllegalArgumentException("'" + entry + "': label set " + name + " is routed twice");
            }
        }
        return routing;
    }
}
