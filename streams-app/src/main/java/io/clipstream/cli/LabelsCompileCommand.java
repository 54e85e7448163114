package io.clipstream.cli;

import io.clipstream.clip.ModelFolder;
import io.clipstream.labels.LabelSetFiles;
import io.clipstream.schema.LabelSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code clipstream labels compile --model DIR FILE -o OUT.avro}: text embeddings for one model. */
@Command(
        name = "compile",
        mixinStandardHelpOptions = true,
        description = "Compile a label set into text embeddings for one model (an Avro file).")
final class LabelsCompileCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(index = "0", paramLabel = "FILE", description = "Label-set YAML file.")
    Path file;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "OUT.avro",
            description = "Output file.")
    Path output;

    @Override
    public Integer call() throws IOException {
        ModelFolder folder = modelOptions.folder();
        LabelSet set = LabelSetLoading.compile(LabelSetLoading.parse(file), folder, modelOptions.inference());
        LabelSetFiles.write(set, output);
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        out.write(out.object()
                .put("labelSet", set.getName())
                .put("version", set.getVersion())
                .put("labels", set.getLabels().size())
                .put("dimension", set.getDimension())
                .put("modelFingerprint", set.getModelFingerprint())
                .put("output", output.toString()));
        return 0;
    }
}
