package io.clipstream.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/** The images the demo streams, with their ground truth when a manifest gives it, plus a few unusable inputs. */
final class DemoInputs {

    /** One input: an event id, the bytes to send as the image, and the expected label id (or null). */
    record Input(String eventId, byte[] image, String truth) {}

    private static final List<String> IMAGE_SUFFIXES =
            List.of(".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff");

    private DemoInputs() {}

    static List<Input> load(Path dir, boolean corrupt) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image folder " + dir + " does not exist");
        }
        Map<String, String> truth = new HashMap<>();
        Path manifest = dir.resolve("manifest.json");
        if (Files.isRegularFile(manifest)) {
            JsonNode root = new ObjectMapper().readTree(manifest.toFile());
            root.path("images")
                    .forEach(i ->
                            truth.put(i.path("file").asText(), i.path("label").asText(null)));
        }
        List<Input> inputs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                if (IMAGE_SUFFIXES.stream().anyMatch(name::endsWith)) {
                    String relative = dir.relativize(file).toString();
                    inputs.add(new Input(relative, Files.readAllBytes(file), truth.get(relative)));
                }
            }
        }
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("image folder " + dir + " holds no images (" + IMAGE_SUFFIXES + ")");
        }
        if (corrupt) {
            byte[] sample = inputs.get(0).image();
            byte[] random = new byte[2048];
            new Random(42).nextBytes(random);
            inputs.add(
                    inputs.size() / 3, new Input("corrupt-truncated", Arrays.copyOf(sample, sample.length / 2), null));
            inputs.add(
                    inputs.size() / 2,
                    new Input(
                            "corrupt-html-named-jpg",
                            "<html><body>not an image</body></html>".getBytes(StandardCharsets.UTF_8),
                            null));
            inputs.add(2 * inputs.size() / 3, new Input("corrupt-empty", new byte[0], null));
            inputs.add(new Input("corrupt-random-bytes", random, null));
        }
        return inputs;
    }
}
