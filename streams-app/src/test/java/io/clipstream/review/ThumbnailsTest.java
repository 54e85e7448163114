package io.clipstream.review;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.image.RgbImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ThumbnailsTest {

    private static RgbImage red(int width, int height) {
        byte[] px = new byte[width * height * 3];
        for (int i = 0; i < px.length; i += 3) {
            px[i] = (byte) 200;
            px[i + 1] = 10;
            px[i + 2] = 20;
        }
        return new RgbImage(width, height, px);
    }

    @Test
    void aLargeImageIsScaledSoItsLongestSideIs256() throws IOException {
        Thumbnails.Thumbnail t = Thumbnails.of(red(640, 320));
        assertThat(t.width()).isEqualTo(256);
        assertThat(t.height()).isEqualTo(128);
        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(t.jpeg()));
        assertThat(decoded.getWidth()).isEqualTo(256);
        assertThat(decoded.getHeight()).isEqualTo(128);
        int rgb = decoded.getRGB(128, 64);
        assertThat((rgb >> 16) & 0xff).isBetween(190, 210);
    }

    @Test
    void aSmallImageKeepsItsSize() {
        Thumbnails.Thumbnail t = Thumbnails.of(red(224, 224));
        assertThat(t.width()).isEqualTo(224);
        assertThat(t.height()).isEqualTo(224);
    }
}
