package io.clipstream.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The JPEG variants and Pillow's decode of each, written by tools/make_jpeg_matrix.py. */
final class JpegMatrix {
    static final String DIR = "jpeg-matrix/";

    private JpegMatrix() {}

    /** One JPEG and Pillow's view of it; {@code crop} and {@code tensor} are null where only hashes are kept. */
    record Fixture(
            String file,
            String mode,
            int width,
            int height,
            String sampling,
            boolean progressive,
            int iccProfileBytes,
            int orientation,
            String decodedSha256,
            int size,
            ResizeMode resizeMode,
            String cropSha256,
            String tensorSha256,
            String crop,
            String tensor) {
        PreprocessSpec spec() {
            return new PreprocessSpec(
                    size,
                    PreprocessSpec.CLIP_MEAN,
                    PreprocessSpec.CLIP_STD,
                    Interpolation.BICUBIC,
                    resizeMode,
                    PreprocessSpec.DEFAULT_MAX_PIXELS);
        }

        byte[] bytes() {
            return ImageFixtures.bytes(DIR + file);
        }

        @Override
        public String toString() {
            return file;
        }
    }

    static List<Fixture> fixtures() {
        try (InputStream in = JpegMatrix.class.getResourceAsStream("/images/" + DIR + "manifest.json")) {
            if (in == null) {
                throw new IOException("missing /images/" + DIR + "manifest.json");
            }
            List<Fixture> out = new ArrayList<>();
            for (JsonNode f : new ObjectMapper().readTree(in).get("fixtures")) {
                out.add(new Fixture(
                        f.get("file").asText(),
                        f.get("mode").asText(),
                        f.get("width").asInt(),
                        f.get("height").asInt(),
                        f.get("sampling").asText(),
                        f.get("progressive").asBoolean(),
                        f.get("icc_profile_bytes").asInt(),
                        f.get("orientation").asInt(),
                        f.get("decoded_sha256").asText(),
                        f.get("size").asInt(),
                        ResizeMode.parse(f.get("resize_mode").asText()),
                        f.get("crop_sha256").asText(),
                        f.get("tensor_sha256").asText(),
                        f.has("crop") ? DIR + f.get("crop").asText() : null,
                        f.has("tensor") ? DIR + f.get("tensor").asText() : null));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Little-endian float32 bytes, as NumPy's {@code astype("<f4").tobytes()} writes them. */
    static byte[] littleEndian(float[] values) {
        java.nio.ByteBuffer buf =
                java.nio.ByteBuffer.allocate(values.length * 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return buf.array();
    }
}
