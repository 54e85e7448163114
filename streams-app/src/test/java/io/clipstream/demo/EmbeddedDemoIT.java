package io.clipstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded demo on a slice of its own images: every event is tagged or dead-lettered, and it cleans up. */
class EmbeddedDemoIT {

    @TempDir
    Path dir;

    @Test
    void theDemoRunsEndToEndOnItsOwnImages() throws Exception {
        Path source = Path.of("..", "models", "tiny-shapes", "demo-images");
        Path images = Files.createDirectories(dir.resolve("images"));
        StringBuilder manifest = new StringBuilder("{\"images\": [");
        String original = Files.readString(source.resolve("manifest.json"));
        var entries = new com.fasterxml.jackson.databind.ObjectMapper().readTree(original).path("images");
        for (int i = 0; i < 24; i++) {
            var entry = entries.get(i);
            Files.copy(source.resolve(entry.path("file").asText()), images.resolve(entry.path("file").asText()));
            manifest.append(i == 0 ? "" : ",").append(entry);
        }
        Files.writeString(images.resolve("manifest.json"), manifest.append("]}").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        EmbeddedDemo.Summary summary = new EmbeddedDemo(new DemoSettings(Path.of("..", "models", "tiny-shapes"),
                List.of(Path.of("..", "label-sets", "tiny-shapes.yaml")), images, 0, true, false),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(progress, true, StandardCharsets.UTF_8)).run();
        String table = out.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        assertThat(summary.events()).isEqualTo(29);
        assertThat(summary.tagged()).isEqualTo(24);
        assertThat(summary.deadLetters()).isEqualTo(5);
        assertThat(summary.deadLettersByReason()).containsOnlyKeys("CORRUPT", "EMPTY", "NOT_AVRO", "UNKNOWN_FORMAT");
        assertThat(summary.withTruth()).isEqualTo(24);
        assertThat((double) summary.correct() / summary.withTruth()).isGreaterThanOrEqualTo(0.75);
        assertThat(table).contains("Summary: 29 events in, 24 tagged, 5 dead letters");
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("Compiled label set tiny-shapes version");
    }
}
