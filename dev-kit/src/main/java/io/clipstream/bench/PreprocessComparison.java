package io.clipstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.clip.ImageEncoder;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.JpegDecoding;
import io.clipstream.image.PreprocessSpec;
import io.clipstream.image.RgbImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * 1920×1080 JPEG → model crop on one thread: ClipStream's exact mode (ImageIO and, when loadable, libjpeg-turbo),
 * its draft mode, and Pillow + torchvision on the very same files in the same run (the Python side runs when a
 * python3 with PIL and torchvision is found, and is reported as skipped otherwise). Both sides count images per
 * CPU-second of the one thread doing the work (best of three rounds), so that other load on the machine does not
 * skew the ratio. The Python side also hashes
 * its crops, so the run checks that both computed the same pixels. With photos given, it measures how close
 * draft-mode embeddings stay to exact ones.
 */
final class PreprocessComparison {
    private static final double SECONDS = 3.0;
    private static final int ROUNDS = 3;
    private static final String SCRIPT = "pil_preprocess.py";

    private final ImageEncoder encoder;
    private final PrintStream progress;

    PreprocessComparison(ImageEncoder encoder, PrintStream progress) {
        this.encoder = encoder;
        this.progress = progress;
    }

    /** Adds the figures to {@code out}. */
    void run(Map<String, Object> out, List<Path> photos) throws Exception {
        // the comparison is at CLIP's 224 whatever the bench model's input size (the tiny demo model uses 64)
        ImagePreprocessor exact = new ImagePreprocessor(PreprocessSpec.clip(224), JpegDecoding.DEFAULT);
        int size = exact.spec().size();
        List<byte[]> images = BenchImages.generate(12, 1920, 1080, "jpeg", 11);
        Path dir = Files.createTempDirectory("clipstream-bench-jpeg");
        try {
            for (int i = 0; i < images.size(); i++) {
                Files.write(dir.resolve(String.format(Locale.ROOT, "%02d.jpg", i)), images.get(i));
            }
            out.put("preprocess_jpeg_decoder", JpegDecoding.DEFAULT.decoderName());
            double imageIo = perSecond(
                    exact.withJpegDecoding(new JpegDecoding(JpegDecoding.Choice.IMAGEIO, false)),
                    images,
                    "exact, ImageIO");
            out.put("preprocess_1080p_imageio_per_s", round(imageIo));
            double turbo = 0;
            double draft = 0;
            JpegDecoding draftMode = new JpegDecoding(JpegDecoding.Choice.AUTO, true);
            if (JpegDecoding.DEFAULT.usesTurboJpeg()) {
                turbo = perSecond(exact, images, "exact, libjpeg-turbo");
                draft = perSecond(exact.withJpegDecoding(draftMode), images, "draft, libjpeg-turbo");
                out.put("preprocess_1080p_turbojpeg_per_s", round(turbo));
                out.put("preprocess_1080p_draft_per_s", round(draft));
            } else {
                progress.println("libjpeg-turbo not loadable: exact and draft figures use ImageIO only");
            }
            double exactPerSecond = turbo > 0 ? turbo : imageIo;
            out.put("preprocess_1080p_per_s", round(exactPerSecond));
            JsonNode pil = pil(dir, size);
            if (pil != null) {
                double pilPerSecond = pil.path("images_per_s").asDouble();
                out.put(
                        "pil_version",
                        pil.path("pil").asText() + " + torchvision "
                                + pil.path("torchvision").asText());
                out.put("pil_preprocess_1080p_per_s", round(pilPerSecond));
                out.put("pil_decode_1080p_per_s", round(pil.path("decode_per_s").asDouble()));
                out.put("preprocess_over_pil", round(exactPerSecond / pilPerSecond));
                out.put("imageio_over_pil", round(imageIo / pilPerSecond));
                if (draft > 0) {
                    out.put("draft_over_pil", round(draft / pilPerSecond));
                }
                out.put(
                        "crops_identical_to_pil",
                        identical(exact, images, pil.path("crop_sha256")) + "/" + images.size());
            }
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        if (!photos.isEmpty() && JpegDecoding.DEFAULT.usesTurboJpeg()) {
            ImagePreprocessor model = encoder.preprocessor().withJpegDecoding(JpegDecoding.DEFAULT);
            draftCosine(out, photos, model, model.withJpegDecoding(new JpegDecoding(JpegDecoding.Choice.AUTO, true)));
        }
    }

    private double perSecond(ImagePreprocessor preprocessor, List<byte[]> images, String what)
            throws ImageRejectedException {
        for (int round = 0; round < 3; round++) {
            for (byte[] image : images) {
                preprocessor.preprocess(image);
            }
        }
        // images per CPU-second of this thread, best of ROUNDS: on a shared machine other processes take wall time
        // and caches from any run; CPU time is what a core actually spent
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        double perSecond = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long start = cpu.getCurrentThreadCpuTime();
            int count = 0;
            while (cpu.getCurrentThreadCpuTime() - start < SECONDS / ROUNDS * 1e9) {
                for (byte[] image : images) {
                    preprocessor.preprocess(image);
                    count++;
                }
            }
            perSecond = Math.max(perSecond, count / ((cpu.getCurrentThreadCpuTime() - start) / 1e9));
        }
        progress.printf(
                Locale.ROOT,
                "1920x1080 JPEG -> %d, one thread, %s: %.1f images per CPU-second%n",
                preprocessor.spec().size(),
                what,
                perSecond);
        return perSecond;
    }

    private int identical(ImagePreprocessor exact, List<byte[]> images, JsonNode hashes) throws ImageRejectedException {
        int same = 0;
        for (int i = 0; i < images.size(); i++) {
            String expected =
                    hashes.path(String.format(Locale.ROOT, "%02d.jpg", i)).asText();
            if (sha256(exact.preprocessPixels(images.get(i)).pixels()).equals(expected)) {
                same++;
            }
        }
        return same;
    }

    /** The PIL side's JSON, or null (with the reason printed) when it cannot run. */
    private JsonNode pil(Path dir, int size) throws IOException, InterruptedException {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Path script = Files.createTempFile("clipstream-pil", ".py");
        Path errors = Files.createTempFile("clipstream-pil", ".err");
        try {
            try (InputStream in = PreprocessComparison.class.getResourceAsStream(SCRIPT)) {
                Files.write(script, in.readAllBytes());
            }
            ProcessBuilder builder = new ProcessBuilder(
                    python,
                    script.toString(),
                    dir.toString(),
                    Double.toString(SECONDS),
                    Integer.toString(size),
                    Integer.toString(ROUNDS));
            builder.environment().put("OMP_NUM_THREADS", "1");
            builder.environment().put("MKL_NUM_THREADS", "1");
            builder.redirectError(errors.toFile());
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                progress.printf("PIL comparison skipped: no %s (%s)%n", python, e.getMessage());
                return null;
            }
            byte[] stdout = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                String stderr = Files.readString(errors).strip();
                String last = stderr.lines().reduce((a, b) -> b).orElse("no output");
                progress.printf("PIL comparison skipped: %s cannot run it (%s)%n", python, last);
                return null;
            }
            JsonNode result = new ObjectMapper().readTree(new String(stdout, StandardCharsets.UTF_8));
            progress.printf(
                    Locale.ROOT,
                    "1920x1080 JPEG -> %d, one thread, PIL %s + torchvision %s: %.1f images per CPU-second%n",
                    size,
                    result.path("pil").asText(),
                    result.path("torchvision").asText(),
                    result.path("images_per_s").asDouble());
            return result;
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(errors);
        }
    }

    /** Cosine of draft-mode to exact-mode embeddings on the JPEG photos that draft mode actually reduces. */
    private void draftCosine(
            Map<String, Object> out, List<Path> photos, ImagePreprocessor exact, ImagePreprocessor draft)
            throws IOException {
        int size = exact.spec().size();
        List<RgbImage> pairs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int skipped = 0;
        for (Path photo : photos) {
            byte[] data = Files.readAllBytes(photo);
            int[] dims = jpegSize(data);
            if (dims == null || JpegDecoding.draftDenominator(dims[0], dims[1], 2 * size) == 1) {
                skipped++;
                continue;
            }
            try {
                RgbImage exactCrop = exact.preprocessPixels(data);
                RgbImage draftCrop = draft.preprocessPixels(data);
                if (java.util.Arrays.equals(exactCrop.pixels(), draftCrop.pixels())) {
                    skipped++; // not reduced after all (a CMYK file goes to ImageIO, which has no draft)
                    continue;
                }
                pairs.add(exactCrop);
                pairs.add(draftCrop);
                names.add(String.valueOf(photo.getFileName()));
            } catch (ImageRejectedException e) {
                skipped++;
            }
        }
        if (pairs.isEmpty()) {
            progress.printf(
                    "draft cosine: none of the %d photos is a JPEG large enough for draft mode%n", photos.size());
            return;
        }
        float[][] embeddings = encoder.embed(pairs);
        double sum = 0;
        double min = 1;
        for (int i = 0; i < embeddings.length; i += 2) {
            double dot = 0;
            for (int k = 0; k < embeddings[i].length; k++) {
                dot += (double) embeddings[i][k] * embeddings[i + 1][k];
            }
            sum += dot;
            min = Math.min(min, dot);
            progress.printf(Locale.ROOT, "  draft vs exact %s: cosine %.6f%n", names.get(i / 2), dot);
        }
        int n = embeddings.length / 2;
        out.put("draft_photos", n);
        out.put("draft_photos_not_reduced", skipped);
        out.put("draft_cosine_mean", Math.round(sum / n * 1e6) / 1e6);
        out.put("draft_cosine_min", Math.round(min * 1e6) / 1e6);
        progress.printf(
                Locale.ROOT,
                "draft vs exact on %d photos: cosine mean %.6f, min %.6f (%d not reduced)%n",
                n,
                sum / n,
                min,
                skipped);
    }

    /** Width and height of a JPEG from its header, or null for anything else. */
    private static int[] jpegSize(byte[] data) throws IOException {
        if (data.length < 3 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
            return null;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(data))) {
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
