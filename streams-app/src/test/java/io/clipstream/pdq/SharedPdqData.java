package io.clipstream.pdq;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Meta's PDQ reference images and hashes beside the checkout ({@code ../shared/pdq}): read from there, never copied
 * into the repository; tests that need them are skipped where they are absent.
 */
public final class SharedPdqData {

    private SharedPdqData() {}

    /** The {@code shared/pdq} folder, or a skipped test. */
    public static Path folder() {
        String configured = System.getProperty("clipstream.shared.dir");
        Path shared = configured != null ? Path.of(configured) : Path.of("..", "..", "shared");
        Path pdq = shared.resolve("pdq");
        if (!Files.isRegularFile(pdq.resolve("hashes.csv"))) {
            pdq = Path.of("..", "..", "shared", "pdq");
        }
        assumeTrue(
                Files.isRegularFile(pdq.resolve("hashes.csv")),
                "PDQ reference data not found at " + pdq.toAbsolutePath() + "; skipping");
        return pdq;
    }
}
