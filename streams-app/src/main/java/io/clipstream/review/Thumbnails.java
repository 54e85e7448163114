package io.clipstream.review;

import io.clipstream.image.RgbImage;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Small JPEG thumbnails of decoded pixels, for review items. */
public final class Thumbnails {

    /** Longest side of a thumbnail. */
    public static final int MAX_SIDE = 256;

    private static final float QUALITY = 0.8f;

    /** A thumbnail: JPEG bytes and size. */
    public record Thumbnail(byte[] jpeg, int width, int height) {}

    private Thumbnails() {}

    /** A JPEG of {@code pixels}, scaled down (never up) so that its longest side is at most {@link #MAX_SIDE}. */
    public static Thumbnail of(RgbImage pixels) {
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(pixels.width(), pixels.height()));
        int width = Math.max(1, (int) Math.round(pixels.width() * scale));
        int height = Math.max(1, (int) Math.round(pixels.height() * scale));
        BufferedImage source = toImage(pixels);
        BufferedImage scaled = source;
        if (width != pixels.width() || height != pixels.height()) {
            scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = scaled.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(source, 0, 0, width, height, null);
            } finally {
                g.dispose();
            }
        }
        return new Thumbnail(jpeg(scaled), width, height);
    }

    private static BufferedImage toImage(RgbImage pixels) {
        BufferedImage image = new BufferedImage(pixels.width(), pixels.height(), BufferedImage.TYPE_INT_RGB);
        byte[] px = pixels.pixels();
        int[] row = new int[pixels.width()];
        for (int y = 0; y < pixels.height(); y++) {
            for (int x = 0; x < pixels.width(); x++) {
                int i = (y * pixels.width() + x) * 3;
                row[x] = (px[i] & 0xff) << 16 | (px[i + 1] & 0xff) << 8 | (px[i + 2] & 0xff);
            }
            image.setRGB(0, y, pixels.width(), 1, row, 0, pixels.width());
        }
        return image;
    }

    private static byte[] jpeg(BufferedImage image) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = writers.next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream stream = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(QUALITY);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a thumbnail", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
