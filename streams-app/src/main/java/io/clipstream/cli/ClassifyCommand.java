package io.clipstream.cli;

import io.clipstream.clip.Embeddings;
import io.clipstream.clip.ImageEncoder;
import io.clipstream.clip.ModelFolder;
import io.clipstream.clip.TextEncoder;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream classify --model DIR --image FILE --labels TEXT...}: CLIP's zero-shot classification, softmax
 * over logit scale × cosine, one line per label, highest probability first.
 */
@Command(
        name = "classify",
        mixinStandardHelpOptions = true,
        description = "Zero-shot classify an image: softmax over 100 x cosine with each label's text embedding.")
final class ClassifyCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--image", required = true, paramLabel = "FILE", description = "The image to classify.")
    Path image;

    @Option(
            names = "--labels",
            required = true,
            arity = "1..*",
            paramLabel = "TEXT",
            description = "Candidate labels (each used as its own prompt).")
    List<String> labels;

    @Option(
            names = "--logit-scale",
            paramLabel = "S",
            defaultValue = "100",
            description = "Multiplier of the cosines before the softmax (default: ${DEFAULT-VALUE}, as CLIP).")
    float logitScale;

    @Override
    public Integer call() {
        ModelFolder folder = modelOptions.folder();
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        float[] imageEmbedding;
        try (ImageEncoder encoder = ImageEncoder.open(folder, modelOptions.inference())) {
            ImageInputs.Outcome outcome = ImageInputs.preprocess(List.of(image), encoder.preprocessor())
                    .get(0);
            if (!outcome.ok()) {
                out.write(out.object()
                        .put("image", image.toString())
                        .put("error", outcome.errorCode())
                        .put("message", outcome.message()));
                return 1;
            }
            imageEmbedding = encoder.embed(List.of(outcome.pixels()))[0];
        }
        float[][] labelEmbeddings;
        try (TextEncoder encoder = TextEncoder.open(folder, modelOptions.inference())) {
            labelEmbeddings = encoder.embed(labels);
        }
        float[] cosines = new float[labels.size()];
        for (int i = 0; i < cosines.length; i++) {
            cosines[i] = Embeddings.dot(imageEmbedding, labelEmbeddings[i]);
        }
        double[] probabilities = Embeddings.softmax(cosines, logitScale);
        IntStream.range(0, labels.size())
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -probabilities[i]))
                .forEach(i -> out.write(out.object().put("label", labels.get(i)).put("probability", probabilities[i])));
        return 0;
    }
}
