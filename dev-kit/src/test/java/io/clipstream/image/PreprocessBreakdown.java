package io.clipstream.image;

import io.clipstream.bench.BenchImages;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;

/**
 * Where the exact preprocessing of a 1920×1080 JPEG goes, and the floor under draft mode: libjpeg-turbo's decode
 * alone at full size and at 1/2, 1/4 and 1/8 (scaling skips the inverse DCT and colour work, not the Huffman
 * decoding), and the resize with and without its vertical pass. The same twelve seeded JPEGs as {@code bench}'s PIL
 * comparison; best of 30 rounds, thread CPU time. Run:
 * {@code java -cp dev-kit/target/test-classes:dev-kit/target/classes:<test class path>
 * io.clipstream.image.PreprocessBreakdown} (see docs/benchmarks.md).
 */
public final class PreprocessBreakdown {
    private static final int ROUNDS = 30;

    private PreprocessBreakdown() {}

    public static void main(String[] args) throws Exception {
        List<byte[]> images = BenchImages.generate(12, 1920, 1080, "jpeg", 11);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        if (!TurboJpegDecoder.available()) {
            System.out.println(TurboJpegDecoder.describe());
            return;
        }
        int[] draftMinSide = {0, 540, 270, 135};
        double[] decode = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        double resize = Double.MAX_VALUE;
        double horizontal = Double.MAX_VALUE;
        double whole = Double.MAX_VALUE;
        DecodedImage[] decoded = new DecodedImage[images.size()];
        for (int i = 0; i < decoded.length; i++) {
            decoded[i] = TurboJpegDecoder.decode(images.get(i), Long.MAX_VALUE, 0);
        }
        PilResampler.Crop crop = new PilResampler.Crop(87, 0, 224, 224);
        PilResampler.Crop rowsOnly = new PilResampler.Crop(87, 0, 224, 1080);
        ImagePreprocessor exact = new ImagePreprocessor(PreprocessSpec.clip(224));
        for (int round = 0; round < ROUNDS; round++) {
            for (int s = 0; s < draftMinSide.length; s++) {
                long t0 = cpu.getCurrentThreadCpuTime();
                for (byte[] image : images) {
                    TurboJpegDecoder.decodeNative(image, Long.MAX_VALUE, draftMinSide[s])
                            .close();
                }
                decode[s] = Math.min(decode[s], perImage(cpu, t0, images.size()));
            }
            long t0 = cpu.getCurrentThreadCpuTime();
            for (DecodedImage d : decoded) {
                PilResampler.resize8(d.bytes(), 1920, 1080, 3, 398, 224, crop, Interpolation.BICUBIC);
            }
            resize = Math.min(resize, perImage(cpu, t0, images.size()));
            t0 = cpu.getCurrentThreadCpuTime();
            for (DecodedImage d : decoded) {
                PilResampler.resize8(d.bytes(), 1920, 1080, 3, 398, 1080, rowsOnly, Interpolation.BICUBIC);
            }
            horizontal = Math.min(horizontal, perImage(cpu, t0, images.size()));
            t0 = cpu.getCurrentThreadCpuTime();
            for (byte[] image : images) {
                exact.preprocessPixels(image);
            }
            whole = Math.min(whole, perImage(cpu, t0, images.size()));
        }
        System.out.printf(
                Locale.ROOT,
                "libjpeg-turbo decode alone: full %.2f ms, 1/2 %.2f ms, 1/4 %.2f ms, 1/8 %.2f ms%n"
                        + "resize 1920x1080 -> 398x224, crop 224 (from the heap): %.2f ms; its horizontal pass alone"
                        + " (no vertical pass; includes copying the 224x1080 result out) %.2f ms%n"
                        + "whole exact preprocessing (decode, resize, crop, RGB): %.2f ms%n",
                decode[0],
                decode[1],
                decode[2],
                decode[3],
                resize,
                horizontal,
                whole);
    }

    private static double perImage(ThreadMXBean cpu, long start, int images) {
        return (cpu.getCurrentThreadCpuTime() - start) / 1e6 / images;
    }
}
