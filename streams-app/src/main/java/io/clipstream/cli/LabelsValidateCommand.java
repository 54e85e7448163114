package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.labels.LabelSetDefinition;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.LabelSetValidationException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream labels validate FILE...}: one JSON line per file; errors also go to stderr as
 * {@code file:line: field: message}, and the exit status is 1 when any file is invalid.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Validate label-set YAML files.")
final class LabelsValidateCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Label-set YAML files.")
    List<Path> files;

    @Override
    public Integer call() {
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        PrintWriter err = spec.commandLine().getErr();
        boolean allValid = true;
        for (Path file : files) {
            ObjectNode line = out.object().put("file", file.toString());
            try {
                LabelSetDefinition d = LabelSetParser.parse(file);
                line.put("valid", true)
                        .put("name", d.name())
                        .put("version", d.version())
                        .put("labels", d.labels().size())
                        .put("policies", d.policies().size());
            } catch (LabelSetValidationException e) {
                allValid = false;
                ArrayNode errors = line.put("valid", false).putArray("errors");
                e.errors().forEach(errors::add);
                e.errors().forEach(err::println);
            } catch (IOException e) {
                allValid = false;
                line.put("valid", false).putArray("errors").add(file + ": " + e.getMessage());
                err.println(file + ": cannot be read: " + e.getMessage());
            }
            out.write(line);
        }
        err.flush();
        return allValid ? 0 : 1;
    }
}
