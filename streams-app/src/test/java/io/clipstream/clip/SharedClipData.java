package io.clipstream.clip;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The third-party CLIP tokenizer data beside the checkout ({@code ../shared/clip}): read from there, never copied
 * into the repository; tests that need it are skipped where it is absent.
 */
public final class SharedClipData {

    private SharedClipData() {}

    /** The {@code shared/clip} folder, or a skipped test. */
    public static Path folder() {
        String configured = System.getProperty("clipstream.shared.dir");
        Path shared = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
        Path clip = shared.resolve("clip");
        if (!Files.isRegularFile(clip.resolve("tokenizer.json"))) {
            Path fallback = Path.of("..", "..", "shared", "clip");
            clip = Files.isRegularFile(fallback.resolve("tokenizer.json")) ? fallback : clip;
        }
        assumeTrue(
                Files.isRegularFile(clip.resolve("tokenizer.json")),
                "CLIP tokenizer data not found at " + clip.toAbsolutePath() + "; skipping");
        return clip;
    }

    /** OpenAI's CLIP {@code tokenizer.json}. */
    public static Path tokenizerJson() {
        return folder().resolve("tokenizer.json");
    }
}
