package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clipstream.clip.TestModels;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code clipstream preprocess} writes exactly the crop and tensor of Pillow + torchvision. */
class PreprocessCommandTest {
    private static final String MATRIX = "/images/jpeg-matrix/";

    @TempDir
    Path dir;

    private static Path resource(String name) {
        try {
            return Path.of(PreprocessCommandTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void writesPillowsCropAndTorchvisionsTensorAndAnErrorLineForABadFile() throws IOException {
        Path model = TestModels.committed("tiny-vit-openclip");
        Path out = dir.resolve("out");
        Path p3 = resource(MATRIX + "jpeg_icc_display_p3.jpg");
        Path c440 = resource(MATRIX + "jpeg_subsampling_440.jpg");
        Path html = Files.writeString(dir.resolve("page.jpg"), "<html>not an image</html>");
        CliRun r = CliRun.of(
                "preprocess",
                "--model",
                model.toString(),
                "--out",
                out.toString(),
                "--threads",
                "2",
                p3.toString(),
                html.toString(),
                c440.toString());
        assertThat(r.exit()).isEqualTo(1);
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).path("image").asText()).isEqualTo(p3.toString());
        assertThat(lines.get(0).path("png").asText())
                .isEqualTo(out.resolve("jpeg_icc_display_p3.png").toString());
        assertThat(lines.get(0).path("npy").asText())
                .isEqualTo(out.resolve("jpeg_icc_display_p3.npy").toString());
        assertThat(lines.get(0).path("width").asInt()).isEqualTo(224);
        assertThat(lines.get(0).path("height").asInt()).isEqualTo(224);
        assertThat(lines.get(1).path("image").asText()).isEqualTo(html.toString());
        assertThat(lines.get(1).path("error").asText()).isEqualTo("UNKNOWN_FORMAT");
        assertThat(lines.get(1).path("message").asText())
                .isEqualTo("UNKNOWN_FORMAT: magic bytes match no supported image format");
        assertThat(lines.get(1).has("png")).isFalse();
        assertThat(out.resolve("page.png")).doesNotExist();
        for (String stem : new String[] {"jpeg_icc_display_p3", "jpeg_subsampling_440"}) {
            String ref = MATRIX + "reference/" + stem + "__224_bicubic_shortest";
            assertThat(rgb(Files.readAllBytes(out.resolve(stem + ".png"))))
                    .as(stem)
                    .isEqualTo(rgb(Files.readAllBytes(resource(ref + ".png"))));
            byte[] npy = Files.readAllBytes(out.resolve(stem + ".npy"));
            String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 224, 224), }";
            assertThat(new String(npy, 0, 10, StandardCharsets.ISO_8859_1)).isEqualTo("\u0093NUMPY\u0001\u0000v\u0000");
            assertThat(new String(npy, 10, 118, StandardCharsets.US_ASCII))
                    .startsWith(header)
                    .endsWith(" \n")
                    .hasSize(118);
            assertThat(npy).hasSize(128 + 3 * 224 * 224 * 4);
            float[] actual = new float[3 * 224 * 224];
            ByteBuffer.wrap(npy, 128, npy.length - 128)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(actual);
            float[] expected = new float[actual.length];
            try (InputStream in = new GZIPInputStream(Files.newInputStream(resource(ref + ".chw.f32.gz")))) {
                ByteBuffer.wrap(in.readAllBytes())
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(expected);
            }
            assertThat(actual).as(stem).containsExactly(expected);
        }
    }

    @Test
    void sameFileNamesGetDistinctOutputs() {
        assertThat(PreprocessCommand.outputNames(
                        List.of(Path.of("a/cat.jpg"), Path.of("b/cat.png"), Path.of("c/Cat.jpg"), Path.of("dog"))))
                .containsExactly("cat", "cat-2", "Cat-3", "dog");
    }

    private static byte[] rgb(byte[] png) throws IOException {
        BufferedImage img = ImageIO.read(new java.io.ByteArrayInputStream(png));
        assertThat(img.getColorModel().getNumComponents()).isEqualTo(3);
        assertThat(img.getColorModel().hasAlpha()).isFalse();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                out.write(p >> 16 & 0xFF);
                out.write(p >> 8 & 0xFF);
                out.write(p & 0xFF);
            }
        }
        return out.toByteArray();
    }
}
