package io.clipstream.bench;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;

/**
 * Seeded synthetic photos-like images (gradients, shapes and noise, so JPEG has real work to do) for benchmarks:
 * the same bytes in every run and for every contender.
 */
public final class BenchImages {

    private BenchImages() {}

    /** {@code count} images of {@code width × height} in {@code format} ("jpeg" at quality 90, or "png"). */
    public static List<byte[]> generate(int count, int width, int height, String format, long seed) {
        List<byte[]> images = new ArrayList<>(count);
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            images.add(encode(draw(width, height, random), format));
        }
        return images;
    }

    private static BufferedImage draw(int width, int height, Random random) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setPaint(new GradientPaint(
                0, 0, new Color(random.nextInt(0xffffff)), width, height, new Color(random.nextInt(0xffffff))));
        g.fillRect(0, 0, width, height);
        for (int s = 0; s < 12; s++) {
            g.setColor(new Color(random.nextInt(0xffffff)));
            int w = width / 8 + random.nextInt(width / 4);
            int h = height / 8 + random.nextInt(height / 4);
            int x = random.nextInt(width - w);
            int y = random.nextInt(height - h);
            if (random.nextBoolean()) {
                g.fillOval(x, y, w, h);
            } else {
                g.fillRect(x, y, w, h);
            }
        }
        g.dispose();
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int n = random.nextInt(17) - 8;
                int r = clamp(((row[x] >> 16) & 0xff) + n);
                int gg = clamp(((row[x] >> 8) & 0xff) + n);
                int b = clamp((row[x] & 0xff) + n);
                row[x] = (r << 16) | (gg << 8) | b;
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    private static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (format.equals("jpeg")) {
                ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.9f);
                try (var stream = ImageIO.createImageOutputStream(out)) {
                    writer.setOutput(stream);
                    writer.write(null, new IIOImage(image, null, null), param);
                } finally {
                    writer.dispose();
                }
            } else {
                ImageIO.write(image, format, out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
