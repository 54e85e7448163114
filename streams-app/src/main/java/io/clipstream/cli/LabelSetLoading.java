package io.clipstream.cli;

import io.clipstream.clip.InferenceOptions;
import io.clipstream.clip.ModelFolder;
import io.clipstream.clip.TextEncoder;
import io.clipstream.labels.LabelSetCompiler;
import io.clipstream.labels.LabelSetDefinition;
import io.clipstream.labels.LabelSetFiles;
import io.clipstream.labels.LabelSetParser;
import io.clipstream.labels.LabelSetValidationException;
import io.clipstream.labels.ModelFingerprint;
import io.clipstream.schema.LabelSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/** A label set given on the command line: a YAML file compiled for the model, or an already compiled one. */
final class LabelSetLoading {

    private LabelSetLoading() {}

    /** Parses a YAML file, turning validation errors into one message that lists them. */
    static LabelSetDefinition parse(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("label set " + file + " does not exist");
        }
        try {
            return LabelSetParser.parse(file);
        } catch (LabelSetValidationException e) {
            throw new IllegalArgumentException("invalid label set:\n" + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles a definition with the folder's text tower. */
    static LabelSet compile(LabelSetDefinition definition, ModelFolder folder, InferenceOptions options) {
        try (TextEncoder encoder = TextEncoder.open(folder, options)) {
            return new LabelSetCompiler(encoder, ModelFingerprint.of(folder), Clock.systemUTC()).compile(definition);
        }
    }

    /** Reads a compiled {@code .avro} file, or compiles a YAML file for the folder's model. */
    static LabelSet load(Path file, ModelFolder folder, InferenceOptions options) {
        try {
            if (Files.isRegularFile(file) && LabelSetFiles.isCompiled(file)) {
                return LabelSetFiles.read(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compile(parse(file), folder, options);
    }
}
