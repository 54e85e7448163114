package io.clipstream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.ModelFolder;
import io.clipstream.clip.TextEncoder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream embed --model DIR (--image | --text) [--] INPUT...}: one L2-normalised embedding per input,
 * in input order. Images that cannot be used print an error line; the rest still run and the exit status is 1.
 */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description = "Print the L2-normalised CLIP embedding of each image file or text.")
final class EmbedCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Kind kind;

    static final class Kind {
        @Option(names = "--image", required = true, description = "Inputs are image files.")
        boolean image;

        @Option(names = "--text", required = true, description = "Inputs are texts.")
        boolean text;
    }

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Image files (--image) or texts (--text).")
    List<String> inputs;

    @Override
    public Integer call() {
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        ModelFolder folder = modelOptions.folder();
        if (kind.text) {
            try (TextEncoder encoder = TextEncoder.open(folder, modelOptions.inference())) {
                float[][] embeddings = encoder.embed(inputs);
                for (int i = 0; i < inputs.size(); i++) {
                    ObjectNode line = out.object().put("text", inputs.get(i));
                    JsonLines.floats(line, "embedding", embeddings[i]);
                    out.write(line);
                }
            }
            return 0;
        }
        try (ImageEncoder encoder = ImageEncoder.open(folder, modelOptions.inference())) {
            ImageInputs.Embedded embedded =
                    ImageInputs.embed(inputs.stream().map(Path::of).toList(), encoder);
            boolean failed = false;
            for (int i = 0; i < inputs.size(); i++) {
                ImageInputs.Outcome outcome = embedded.outcomes().get(i);
                ObjectNode line = out.object().put("image", inputs.get(i));
                if (outcome.ok()) {
                    JsonLines.floats(line, "embedding", embedded.embeddings()[i]);
                } else {
                    failed = true;
                    line.put("error", outcome.errorCode()).put("message", outcome.message());
                }
                out.write(line);
            }
            return failed ? 1 : 0;
        }
    }
}
