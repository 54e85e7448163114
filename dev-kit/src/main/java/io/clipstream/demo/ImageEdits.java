package io.clipstream.demo;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * The everyday edits a re-uploaded known image goes through, for the demo's bank scenario: resized, recompressed,
 * cropped a little, mirrored. Each returns new encoded bytes.
 */
public enum ImageEdits {
    /** Three quarters of the size, bilinear, as JPEG quality 0.85. */
    RESIZED,
    /** The same pixels as JPEG quality 0.35. */
    RECOMPRESSED,
    /** 1 % cut from each side, as PNG. */
    CROPPED,
    /** Mirrored left to right, as PNG. */
    FLIPPED;

    /** The edited image, encoded. */
    public byte[] apply(byte[] encoded) {
        BufferedImage in = rgb(read(encoded));
        return switch (this) {
            case RESIZED -> jpeg(scaled(in, 0.75), 0.85f);
            case RECOMPRESSED -> jpeg(in, 0.35f);
            case CROPPED -> {
                int dx = Math.max(1, in.getWidth() / 100);
                int dy = Math.max(1, in.getHeight() / 100);
                yield png(rgb(in.getSubimage(dx, dy, in.getWidth() - 2 * dx, in.getHeight() - 2 * dy)));
            }
            case FLIPPED -> {
                BufferedImage out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < in.getHeight(); y++) {
                    for (int x = 0; x < in.getWidth(); x++) {
                        out.setRGB(in.getWidth() - 1 - x, y, in.getRGB(x, y));
                    }
                }
                yield png(out);
            }
        };
    }

    private static BufferedImage read(byte[] encoded) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
            if (image == null) {
                throw new IllegalArgumentException("not an image ImageIO can read");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static BufferedImage rgb(BufferedImage in) {
        BufferedImage out = new BufferedImage(in.getWidth(), in.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(in, 0, 0, null);
        g.dispose();
        return out;
    }

    private static BufferedImage scaled(BufferedImage in, double factor) {
        int w = Math.max(8, (int) (in.getWidth() * factor));
        int h = Math.max(8, (int) (in.getHeight() * factor));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(in, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static byte[] jpeg(BufferedImage image, float quality) {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static byte[] png(BufferedImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
