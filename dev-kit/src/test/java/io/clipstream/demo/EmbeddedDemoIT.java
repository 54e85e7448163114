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
        var entries = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(original)
                .path("images");
        for (int i = 0; i < 24; i++) {
            var entry = entries.get(i);
            Files.copy(
                    source.resolve(entry.path("file").asText()),
                    images.resolve(entry.path("file").asText()));
            manifest.append(i == 0 ? "" : ",").append(entry);
        }
        Files.writeString(images.resolve("manifest.json"), manifest.append("]}").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        EmbeddedDemo.Summary summary = new EmbeddedDemo(
                        new DemoSettings(
                                Path.of("..", "models", "tiny-shapes"),
                                List.of(Path.of("..", "label-sets", "tiny-shapes.yaml")),
                                images,
                                0,
                                true,
                                false),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(progress, true, StandardCharsets.UTF_8))
                .run();
        String table = out.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        // 24 images, 5 unusable inputs, and 12 edited copies (4 edits of 3 banked images)
        assertThat(summary.events()).isEqualTo(41);
        assertThat(summary.tagged()).isEqualTo(36);
        assertThat(summary.deadLetters()).isEqualTo(5);
        assertThat(summary.deadLettersByReason()).containsOnlyKeys("CORRUPT", "EMPTY", "NOT_AVRO", "UNKNOWN_FORMAT");
        assertThat(summary.withTruth()).isEqualTo(24);
        assertThat((double) summary.correct() / summary.withTruth()).isGreaterThanOrEqualTo(0.75);
        assertThat(table).contains("Summary: 41 events in, 36 tagged, 5 dead letters");
        // every edited copy matches the banked original it was made from
        List<String> edited = summary.bankMatches().stream()
                .filter(m -> m.startsWith("edited/"))
                .toList();
        assertThat(edited).hasSize(12).allSatisfy(m -> {
            String banked = m.substring("edited/".length(), m.indexOf('-'));
            assertThat(m).contains(" -> demo-known/" + banked + ", PDQ distance ");
        });
        assertThat(edited).filteredOn(m -> m.contains("-flipped")).allSatisfy(m -> assertThat(m)
                .contains("(flipY)"));
        // the known false positive is matched by both banks and flagged by neither
        List<String> overridden = summary.bankMatches().stream()
                .filter(m -> m.contains("overridden by"))
                .toList();
        assertThat(overridden).hasSize(1);
        assertThat(overridden.get(0)).contains("overridden by demo-approved/");
        assertThat(summary.bankMatches())
                .filteredOn(m -> m.contains("demo-approved/"))
                .hasSize(2);
        assertThat(summary.flagsByPolicy()).containsEntry("bank:demo-known", 3 + 12);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("Compiled label set tiny-shapes version");
    }
}
