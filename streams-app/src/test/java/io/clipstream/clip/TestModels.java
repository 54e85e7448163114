package io.clipstream.clip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * The small CLIPs of the real architecture that {@code tools/make_test_models.py} generates (seeded random weights),
 * committed under {@code src/test/resources/models}. Their text towers use OpenAI's vocabulary, whose
 * {@code tokenizer.json} is third-party data: it is copied in from {@code ../shared/clip} at test time.
 */
public final class TestModels {

    private TestModels() {}

    /** The committed folder {@code models/NAME}. */
    public static Path committed(String name) {
        URL url = TestModels.class.getResource("/models/" + name);
        if (url == null) {
            throw new IllegalStateException("test model " + name + " is missing from src/test/resources/models");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of {@code models/NAME} in {@code dir} without a tokenizer (image tower use only). */
    public static Path copy(String name, Path dir) {
        Path target = dir.resolve(name);
        copyTree(committed(name), target);
        return target;
    }

    /**
     * A copy of {@code models/NAME} in {@code dir} with OpenAI's {@code tokenizer.json} put where the layout keeps
     * it; the calling test is skipped when {@code ../shared/clip} is absent.
     */
    public static Path copyWithTokenizer(String name, Path dir) {
        Path tokenizer = SharedClipData.tokenizerJson();
        Path target = copy(name, dir);
        Path destination = Files.isDirectory(target.resolve("textual"))
                ? target.resolve("textual/tokenizer.json")
                : target.resolve("tokenizer.json");
        try {
            Files.copy(tokenizer, destination, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    private static void copyTree(Path source, Path target) {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path to = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(path, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
