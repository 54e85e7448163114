package io.clipstream.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/** Loads the fixtures and Python reference outputs written by tools/make_image_fixtures.py. */
final class ImageFixtures {
    private static final String ROOT = "/images/";

    private ImageFixtures() {}

    /** One reference output of one fixture. */
    record Reference(
            String file,
            String format,
            String mode,
            int orientation,
            int size,
            Interpolation interpolation,
            ResizeMode resizeMode,
            String crop,
            String tensor) {
        PreprocessSpec spec() {
            return new PreprocessSpec(
                    size,
                    PreprocessSpec.CLIP_MEAN,
                    PreprocessSpec.CLIP_STD,
                    interpolation,
                    resizeMode,
                    PreprocessSpec.DEFAULT_MAX_PIXELS);
        }

        @Override
        public String toString() {
            return file + " [" + mode + "] " + size + " " + interpolation.name().toLowerCase(java.util.Locale.ROOT)
                    + " " + resizeMode.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static List<Reference> references() {
        try (InputStream in = resource("manifest.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Reference> out = new ArrayList<>();
            for (JsonNode f : root.get("fixtures")) {
                for (JsonNode r : f.get("references")) {
                    out.add(new Reference(
                            f.get("file").asText(),
                            f.get("format").asText(),
                            f.get("mode").asText(),
                            f.get("orientation").asInt(),
                            r.get("size").asInt(),
                            Interpolation.parse(r.get("interpolation").asText()),
                            ResizeMode.parse(r.get("resize_mode").asText()),
                            r.get("crop").asText(),
                            r.has("tensor") ? r.get("tensor").asText() : null));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String name) {
        try (InputStream in = resource(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = ImageFixtures.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            throw new IOException("missing test resource " + ROOT + name);
        }
        return in;
    }

    /** The reference crop (an 8-bit RGB PNG) as interleaved RGB bytes. */
    static RgbImage referenceCrop(String name) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes(name)));
            Raster r = img.getRaster();
            int w = r.getWidth();
            int h = r.getHeight();
            int[] samples = r.getPixels(0, 0, w, h, (int[]) null);
            if (r.getNumBands() != 3) {
                throw new IllegalStateException(name + " has " + r.getNumBands() + " bands");
            }
            byte[] px = new byte[samples.length];
            for (int i = 0; i < samples.length; i++) {
                px[i] = (byte) samples[i];
            }
            return new RgbImage(w, h, px);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The reference float32 CHW tensor (little-endian, gzip). */
    static float[] referenceTensor(String name) {
        try (InputStream in = new GZIPInputStream(resource(name))) {
            ByteBuffer buf = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] out = new float[buf.remaining() / 4];
            buf.asFloatBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Largest absolute per-sample difference. */
    static int maxAbsDiff(byte[] a, byte[] b) {
        int max = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            max = Math.max(max, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        }
        return max;
    }
}
