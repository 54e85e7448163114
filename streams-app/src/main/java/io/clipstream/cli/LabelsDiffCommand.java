package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.labels.LabelSetDiff;
import io.clipstream.labels.LabelSetFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels diff OLD NEW [--json]}: the groups, labels, prompts, thresholds and policies added,
 * removed or changed between two label sets, YAML or compiled, one line per changed field. No model is needed.
 */
@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        description = "Show what changed between two label sets (YAML or compiled .avro): groups, labels, prompts,"
                + " thresholds and policies added, removed or changed.")
final class LabelsDiffCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OLD", description = "The current label set (YAML or compiled .avro).")
    Path before;

    @Parameters(index = "1", paramLabel = "NEW", description = "The new label set (YAML or compiled .avro).")
    Path after;

    @Option(names = "--json", description = "One JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        LabelSetDiff.Result diff = LabelSetDiff.betweenAny(load(before), load(after));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonLines lines = new JsonLines(out);
            ObjectNode root = lines.object()
                    .put("name", diff.name())
                    .put("before", diff.before())
                    .put("after", diff.after());
            ArrayNode changes = root.putArray("changes");
            for (LabelSetDiff.Entry entry : diff.entries()) {
                ObjectNode change = changes.addObject()
                        .put("kind", entry.kind().word())
                        .put("id", entry.id())
                        .put("change", entry.change().word());
                ArrayNode fields = change.putArray("fields");
                for (LabelSetDiff.Field field : entry.fields()) {
                    fields.addObject()
                            .put("field", field.field())
                            .put("before", field.before())
                            .put("after", field.after());
                }
            }
            lines.write(root);
        } else {
            out.print(table(diff));
        }
        out.flush();
        return 0;
    }

    private static Object load(Path file) throws IOException {
        if (LabelSetFiles.isCompiled(file)) {
            return LabelSetFiles.read(file);
        }
        return LabelSetLoading.parse(file);
    }

    /** The table: a heading, one row per changed field (one per removed entry), and a count. */
    static String table(LabelSetDiff.Result diff) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KIND", "ID", "CHANGE", "FIELD", "BEFORE", "AFTER"});
        for (LabelSetDiff.Entry entry : diff.entries()) {
            if (entry.fields().isEmpty()) {
                rows.add(new String[] {
                    entry.kind().word(), entry.id(), entry.change().word(), "", "", ""
                });
            }
            for (LabelSetDiff.Field field : entry.fields()) {
                rows.add(new String[] {
                    entry.kind().word(), entry.id(), entry.change().word(), field.field(), field.before(), field.after()
                });
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("label set ")
                .append(diff.name())
                .append(": version ")
                .append(diff.before())
                .append(" -> ")
                .append(diff.after())
                .append('\n');
        if (diff.entries().isEmpty()) {
            return out.append("no changes\n").toString();
        }
        int[] widths = new int[6];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(row[c]);
                if (c < row.length - 1) {
                    line.append(" ".repeat(widths[c] - row[c].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.append(diff.entries().size())
                .append(diff.entries().size() == 1 ? " change" : " changes")
                .append('\n')
                .toString();
    }
}
