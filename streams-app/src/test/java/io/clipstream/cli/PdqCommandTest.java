package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clipstream.pdq.SharedPdqData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PdqCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsHashQualityAndDihedralOrAnErrorLine() throws IOException {
        Path folder = SharedPdqData.folder();
        String[] reference =
                Files.readAllLines(folder.resolve("dihedral.csv")).get(0).split(",");
        Path image = folder.resolve("images").resolve(reference[9]);
        Path html = Files.writeString(dir.resolve("page.jpg"), "<html>not an image</html>");
        CliRun r = CliRun.of(
                "pdq",
                "--dihedral",
                image.toString(),
                html.toString(),
                dir.resolve("nope.png").toString());
        assertThat(r.exit()).isEqualTo(1);
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).path("image").asText()).isEqualTo(image.toString());
        assertThat(lines.get(0).path("pdq").asText()).isEqualTo(reference[0]);
        assertThat(lines.get(0).path("quality").asInt()).isEqualTo(100);
        assertThat(lines.get(0).path("dihedral")).hasSize(8);
        for (int v = 0; v < 8; v++) {
            assertThat(lines.get(0).path("dihedral").get(v).asText()).isEqualTo(reference[v]);
        }
        assertThat(lines.get(1).path("error").asText()).isEqualTo("UNKNOWN_FORMAT");
        assertThat(lines.get(2).path("error").asText()).isEqualTo("UNREADABLE");
        assertThat(lines.get(2).path("message").asText()).isEqualTo("no such file");

        CliRun plain = CliRun.of("pdq", image.toString());
        assertThat(plain.exit()).isZero();
        assertThat(plain.lines().get(0).has("dihedral")).isFalse();
        assertThat(plain.lines().get(0).path("pdq").asText()).isEqualTo(reference[0]);
    }
}
