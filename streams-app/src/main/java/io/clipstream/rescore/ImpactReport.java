package io.clipstream.rescore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An {@link ImpactAnalysis} as a table for people and as JSON for tools. */
public final class ImpactReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ImpactReport() {}

    /** The JSON form: the sets, the counts of embeddings, then one object per policy and per label. */
    public static ObjectNode json(ImpactAnalysis a) {
        ObjectNode root = JSON.createObjectNode();
        root.put("labelSet", a.after().name()).put("version", a.after().version());
        root.put("against", a.before() == null ? null : a.before().version());
        root.put("embeddings", a.scanned())
                .put("skippedOtherWidth", a.skipped())
                .put("appliedBefore", a.appliedBefore())
                .put("appliedAfter", a.appliedAfter());
        ArrayNode policies = root.putArray("policies");
        for (Map.Entry<String, ImpactAnalysis.PolicyLine> e : a.policies().entrySet()) {
            ObjectNode p = policies.addObject().put("policy", e.getKey());
            counted(p, "before", e.getValue().before);
            counted(p, "after", e.getValue().after);
            counted(p, "newlyFlagged", e.getValue().newlyFlagged);
            counted(p, "noLongerFlagged", e.getValue().noLongerFlagged);
        }
        ArrayNode labels = root.putArray("labels");
        for (Map.Entry<String, ImpactAnalysis.LabelLine> e : a.labels().entrySet()) {
            ObjectNode l = labels.addObject().put("label", e.getKey());
            counted(l, "before", e.getValue().before);
            counted(l, "after", e.getValue().after);
        }
        return root;
    }

    private static void counted(ObjectNode parent, String field, ImpactAnalysis.Counted counted) {
        ObjectNode node = parent.putObject(field).put("count", counted.count());
        ArrayNode samples = node.putArray("samples");
        counted.samples().forEach(samples::add);
    }

    /** The table: a heading, the policies, the labels. */
    public static String table(ImpactAnalysis a) {
        StringBuilder out = new StringBuilder();
        out.append("impact of label set ")
                .append(a.after().name())
                .append(" version ")
                .append(a.after().version())
                .append(
                        a.before() == null
                                ? " (no current version)"
                                : " against version " + a.before().version())
                .append('\n');
        out.append(a.scanned()).append(" embeddings re-scored");
        if (a.skipped() > 0) {
            out.append(", ").append(a.skipped()).append(" of another width skipped");
        }
        out.append("; the set applies to ")
                .append(a.appliedAfter())
                .append(" (current: ")
                .append(a.appliedBefore())
                .append(")\n\n");
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"POLICY", "BEFORE", "AFTER", "NEWLY", "NO LONGER", "SAMPLE EVENTS"});
        for (Map.Entry<String, ImpactAnalysis.PolicyLine> e : a.policies().entrySet()) {
            ImpactAnalysis.PolicyLine p = e.getValue();
            rows.add(new String[] {
                e.getKey(),
                Long.toString(p.before.count()),
                Long.toString(p.after.count()),
                "+" + p.newlyFlagged.count(),
                "-" + p.noLongerFlagged.count(),
                samples("newly", p.newlyFlagged)
                        + samples("no longer", p.noLongerFlagged)
                        + (p.newlyFlagged.count() + p.noLongerFlagged.count() == 0 ? samples("flagged", p.after) : "")
            });
        }
        format(rows, out);
        out.append('\n');
        rows.clear();
        rows.add(new String[] {"LABEL", "TAGS BEFORE", "TAGS AFTER", "SAMPLE EVENTS"});
        for (Map.Entry<String, ImpactAnalysis.LabelLine> e : a.labels().entrySet()) {
            ImpactAnalysis.LabelLine l = e.getValue();
            rows.add(new String[] {
                e.getKey(),
                Long.toString(l.before.count()),
                Long.toString(l.after.count()),
                samples("after", l.after) + (l.after.count() == 0 ? samples("before", l.before) : "")
            });
        }
        format(rows, out);
        return out.toString();
    }

    private static String samples(String what, ImpactAnalysis.Counted counted) {
        if (counted.samples().isEmpty()) {
            return "";
        }
        return what + ": " + String.join(" ", counted.samples())
                + (counted.count() > counted.samples().size() ? " ...; " : "; ");
    }

    private static void format(List<String[]> rows, StringBuilder out) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String cell = c == row.length - 1 && row[c].endsWith("; ")
                        ? row[c].substring(0, row[c].length() - 2)
                        : row[c];
                line.append(cell).append(c < row.length - 1 ? " ".repeat(widths[c] - row[c].length() + 2) : "");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
