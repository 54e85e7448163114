package io.clipstream.cli;

import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.RgbImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Image files read and preprocessed in parallel, each either usable pixels or a typed error. */
final class ImageInputs {

    /** Error code for a file that cannot be read at all. */
    static final String UNREADABLE = "UNREADABLE";

    /** One input file's outcome. */
    record Outcome(Path file, RgbImage pixels, String errorCode, String message) {
        boolean ok() {
            return pixels != null;
        }
    }

    private ImageInputs() {}

    /** Each file's outcome and, for usable ones, its embedding (null for the others), in input order. */
    record Embedded(List<Outcome> outcomes, float[][] embeddings) {}

    /** Preprocesses every file in parallel, then embeds the usable ones in batches. */
    static Embedded embed(List<Path> files, io.clipstream.clip.ImageEncoder encoder) {
        List<Outcome> outcomes = preprocess(files, encoder.preprocessor());
        List<RgbImage> usable = new java.util.ArrayList<>();
        outcomes.stream().filter(Outcome::ok).forEach(o -> usable.add(o.pixels()));
        float[][] packed = encoder.embed(usable);
        float[][] aligned = new float[outcomes.size()][];
        int next = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).ok()) {
                aligned[i] = packed[next++];
            }
        }
        return new Embedded(outcomes, aligned);
    }

    static List<Outcome> preprocess(List<Path> files, ImagePreprocessor preprocessor) {
        return IntStream.range(0, files.size())
                .parallel()
                .mapToObj(i -> preprocessOne(files.get(i), preprocessor))
                .collect(Collectors.toList());
    }

    private static Outcome preprocessOne(Path file, ImagePreprocessor preprocessor) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return new Outcome(file, null, UNREADABLE, "no such file");
        } catch (IOException e) {
            return new Outcome(file, null, UNREADABLE, e.getMessage());
        }
        try {
            return new Outcome(file, preprocessor.preprocessPixels(bytes), null, null);
        } catch (ImageRejectedException e) {
            return new Outcome(file, null, e.reason().code(), e.getMessage());
        }
    }
}
