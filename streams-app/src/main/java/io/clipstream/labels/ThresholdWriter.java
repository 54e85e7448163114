package io.clipstream.labels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes calibrated thresholds back into a label-set YAML text, line by line, so comments and layout survive:
 * an existing {@code threshold:} line of the label is replaced, otherwise one is inserted after its {@code id:}.
 * Labels written in flow style ({@code {id: ..., group: ...}}) are refused.
 */
public final class ThresholdWriter {

    private static final Pattern ID_LINE = Pattern.compile("^(\\s*)(- )?id:\\s*['\"]?([a-z0-9_.]+)['\"]?\\s*(#.*)?$");
    private static final Pattern THRESHOLD_LINE = Pattern.compile("^(\\s*)threshold:\\s*[^#]*?(\\s*#.*)?$");

    private ThresholdWriter() {}

    /**
     * Returns {@code yaml} with the thresholds set.
     *
     * @throws IllegalArgumentException naming a label that cannot be found in block style
     */
    public static String write(String yaml, Map<String, Float> thresholds) {
        List<String> lines = new ArrayList<>(List.of(yaml.split("\n", -1)));
        for (Map.Entry<String, Float> entry : thresholds.entrySet()) {
            int idLine = -1;
            String indent = null;
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = ID_LINE.matcher(lines.get(i));
                if (m.matches() && m.group(3).equals(entry.getKey())) {
                    idLine = i;
                    indent = m.group(1) + (m.group(2) == null ? "" : "  ");
                    break;
                }
            }
            if (idLine < 0) {
                throw new IllegalArgumentException("label " + entry.getKey() + " is not written in block style"
                        + " (id: on its own line); set its threshold by hand");
            }
            String value = String.format(Locale.ROOT, "%.4f", entry.getValue());
            int replaced = -1;
            for (int i = idLine + 1; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank() || line.stripLeading().startsWith("#")) {
                    continue;
                }
                int lineIndent = line.length() - line.stripLeading().length();
                if (lineIndent < indent.length()) {
                    break;
                }
                Matcher t = THRESHOLD_LINE.matcher(line);
                if (lineIndent == indent.length() && t.matches()) {
                    replaced = i;
                    lines.set(i, indent + "threshold: " + value + (t.group(2) == null ? "" : t.group(2)));
                    break;
                }
            }
            if (replaced < 0) {
                lines.add(idLine + 1, indent + "threshold: " + value);
            }
        }
        return String.join("\n", lines);
    }
}
