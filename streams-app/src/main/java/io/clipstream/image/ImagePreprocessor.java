package io.clipstream.image;

import io.clipstream.pdq.InterleavedPixels;
import io.clipstream.pdq.LumaSource;
import io.clipstream.pdq.PdqDihedral;
import io.clipstream.pdq.PdqHasher;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * Decodes any supported image and preprocesses it exactly like OpenAI CLIP's {@code preprocess}
 * (torchvision 0.14 on Pillow 9.4), so that embeddings computed in Java match the Python reference bit for bit.
 *
 * <p>The reference pipeline ({@code tools/make_image_fixtures.py}) is:
 * <ol>
 *   <li>decode (first frame only for GIF) — see {@link ImageDecoder} for the per-format Pillow modes; JPEGs with
 *       libjpeg-turbo or ImageIO as {@link JpegDecoding} says, with identical samples. The opt-in draft mode
 *       decodes a large JPEG at reduced size and resamples it with the full image's geometry: close to, but
 *       <b>not</b>, OpenAI's preprocessing;</li>
 *   <li>apply the EXIF orientation like {@code ImageOps.exif_transpose}. <b>OpenAI's preprocess does not do
 *       this</b>; we do, so phone photos come out upright;</li>
 *   <li>modes Pillow cannot resample with a convolution filter — palette ("P", e.g. GIF, palette PNG/BMP) and
 *       bilevel ("1") — are converted to RGB <em>before</em> resizing, as Hugging Face's CLIPImageProcessor
 *       does (OpenAI's pipeline would resize them with nearest neighbour). Every other mode is resized in its
 *       own mode exactly as OpenAI's pipeline does: L and RGB directly; LA and RGBA premultiplied by alpha
 *       (Pillow converts to "La"/"RGBa", resizes, and divides back); CMYK in CMYK; 16-bit grey as 32-bit
 *       mode "I" with double arithmetic;</li>
 *   <li>{@link ResizeMode#SHORTEST}: torchvision {@code Resize(size)} (short side = size, long side =
 *       {@code int(size * long / short)}) and {@code CenterCrop(size)} with offsets
 *       {@code int(round((dim - size) / 2.0))} (round half to even); {@link ResizeMode#SQUASH}: resize to
 *       size × size. Resampling is {@link PilResampler}, a bit-exact port of Pillow's;</li>
 *   <li>{@code convert("RGB")}: LA/RGBA drop alpha (no compositing), CMYK uses Pillow's {@code cmyk2rgb},
 *       I is clipped to 0..255;</li>
 *   <li>{@code ToTensor} ({@code u8 / 255f}) and {@code Normalize} ({@code (x - mean) / std}) in float32,
 *       planar CHW.</li>
 * </ol>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ImagePreprocessor {
    private final PreprocessSpec spec;
    private final JpegDecoding jpeg;
    /** {@code lut[c * 256 + v] = (v / 255f - mean[c]) / std[c]}, identical to torchvision's float32 ops. */
    private final float[] lut;

    /** Creates a preprocessor for {@code spec} with the default (exact) JPEG decoding. */
    public ImagePreprocessor(PreprocessSpec spec) {
        this(spec, JpegDecoding.DEFAULT);
    }

    /** Creates a preprocessor for {@code spec} decoding JPEGs as {@code jpeg} says. */
    public ImagePreprocessor(PreprocessSpec spec, JpegDecoding jpeg) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.jpeg = Objects.requireNonNull(jpeg, "jpeg");
        float[] mean = spec.mean();
        float[] std = spec.std();
        lut = new float[3 * 256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = (float) v / 255f;
                lut[c * 256 + v] = (x - mean[c]) / std[c];
            }
        }
    }

    /** The spec this preprocessor applies. */
    public PreprocessSpec spec() {
        return spec;
    }

    /** How this preprocessor decodes JPEGs. */
    public JpegDecoding jpegDecoding() {
        return jpeg;
    }

    /** The same preprocessing with JPEGs decoded as {@code decoding} says. */
    public ImagePreprocessor withJpegDecoding(JpegDecoding decoding) {
        return new ImagePreprocessor(spec, decoding);
    }

    /**
     * Decoded, oriented, resized and cropped RGB pixels, size×size×3 interleaved bytes (HWC).
     *
     * @throws ImageRejectedException when the payload is empty, of unknown format, declares too many pixels,
     *                                is corrupt or truncated, or uses an unsupported feature
     */
    public RgbImage preprocessPixels(byte[] encoded) throws ImageRejectedException {
        try (NativeDecode decoded = decodeNative(encoded)) {
            if (decoded != null) {
                return resizeAndCrop(decoded);
            }
        }
        return resizeAndCrop(decodeOriented(encoded, true));
    }

    /**
     * The luminance of the decoded, oriented, full-size image, for PDQ hashing without preprocessing.
     *
     * @throws ImageRejectedException as {@link #preprocessPixels}
     */
    public LumaSource decodeLuma(byte[] encoded) throws ImageRejectedException {
        return new DecodedLuma(decodeOriented(encoded, false).image());
    }

    /**
     * The model's pixels from one decode, with what else was asked of the same decoded, oriented, full-size image:
     * its PDQ hashes (all eight dihedral variants from one downsample, for banks) and an overview of the whole image
     * whose longest side is at most {@code overviewMaxSide} (for review thumbnails; the model sees only the crop).
     *
     * @param pdq whether to hash the image
     * @param overviewMaxSide the overview's longest side, or 0 for none
     * @throws ImageRejectedException as {@link #preprocessPixels}
     */
    public Preprocessed preprocess(byte[] encoded, boolean pdq, int overviewMaxSide) throws ImageRejectedException {
        try (NativeDecode decoded = decodeNative(encoded)) {
            if (decoded != null) {
                LumaSource luma = pdq
                        ? LumaSource.of(InterleavedPixels.ofBuffer(
                                decoded.pixels(), decoded.width(), decoded.height(), decoded.mode().channels))
                        : null;
                return new Preprocessed(
                        resizeAndCrop(decoded),
                        pdq ? PdqHasher.dihedral(luma) : null,
                        overviewMaxSide > 0 ? overview(decoded.toHeap(), overviewMaxSide) : null);
            }
        }
        OrientedDecode decoded = decodeOriented(encoded, true);
        return new Preprocessed(
                resizeAndCrop(decoded),
                pdq ? PdqHasher.dihedral(new DecodedLuma(decoded.image())) : null,
                overviewMaxSide > 0 ? overview(decoded.image(), overviewMaxSide) : null);
    }

    /**
     * What {@link #preprocess} gives.
     *
     * @param pixels the model's input pixels
     * @param pdq the PDQ hashes and quality of the full-size image, or null when not asked
     * @param overview the whole image, scaled down, or null when not asked
     */
    public record Preprocessed(RgbImage pixels, PdqDihedral pdq, RgbImage overview) {}

    /**
     * The common case read straight from libjpeg-turbo's native output, with no copy into the heap: a JPEG it
     * decodes (RGB or grey) that needs no EXIF rotation. Null for everything else, which {@link #decodeOriented}
     * handles (and rejects where it must).
     */
    private NativeDecode decodeNative(byte[] encoded) throws ImageRejectedException {
        if (encoded == null
                || encoded.length == 0
                || !jpeg.usesTurboJpeg()
                || ImageFormat.sniff(encoded).orElse(null) != ImageFormat.JPEG
                || ExifOrientation.read(encoded, ImageFormat.JPEG) != 1) {
            return null;
        }
        return TurboJpegDecoder.decodeNative(encoded, spec.maxPixels(), jpeg.draftActive() ? 2 * spec.size() : 0);
    }

    /** {@link #resizeAndCrop(OrientedDecode)} of a native decode (RGB or grey, upright). */
    private RgbImage resizeAndCrop(NativeDecode decoded) {
        int w = decoded.fullWidth();
        int h = decoded.fullHeight();
        float[] box = w != decoded.width() || h != decoded.height()
                ? draftBox(w, h)
                : new float[] {decoded.width(), decoded.height()};
        Geometry g = geometry(w, h);
        byte[] out = PilResampler.resize8(
                decoded.pixels(),
                decoded.width(),
                decoded.height(),
                decoded.mode().channels,
                g.outW(),
                g.outH(),
                g.crop(),
                spec.interpolation(),
                box[0],
                box[1]);
        return new RgbImage(g.crop().width(), g.crop().height(), PilColorConversions.toRgb(decoded.mode(), out));
    }

    /**
     * Decodes and orients; {@code transientPixels} lets the decoder reuse this thread's pixel buffer, for callers that
     * are done with the image before they return.
     */
    private OrientedDecode decodeOriented(byte[] encoded, boolean transientPixels) throws ImageRejectedException {
        if (encoded == null || encoded.length == 0) {
            throw new ImageRejectedException(RejectionReason.EMPTY, "no image bytes");
        }
        ImageFormat format = ImageFormat.sniff(encoded)
                .orElseThrow(() -> new ImageRejectedException(
                        RejectionReason.UNKNOWN_FORMAT, "magic bytes match no supported image format"));
        DecodedImage decoded =
                ImageDecoder.decode(encoded, format, spec.maxPixels(), jpeg, 2 * spec.size(), transientPixels);
        int orientation = ExifOrientation.read(encoded, format);
        int[] full = orientedFullSize(encoded, format, orientation);
        decoded = ExifOrientation.apply(decoded, orientation);
        boolean reduced = full != null && (full[0] != decoded.width() || full[1] != decoded.height());
        return new OrientedDecode(decoded, reduced ? full : null);
    }

    /**
     * A decoded, oriented image; {@code fullSize} is the full image's {width, height} when the decode is a reduced
     * (draft) one, else null.
     */
    private record OrientedDecode(DecodedImage image, int[] fullSize) {}

    private RgbImage resizeAndCrop(OrientedDecode decode) {
        int[] full = decode.fullSize();
        if (full != null) {
            // draft: a reduced decode stands for the full image, so the output size and crop are those of the
            // full image and the reduced one is resampled from the box covering exactly the full image's extent
            float[] box = draftBox(full[0], full[1]);
            return resizeAndCrop(decode.image(), full[0], full[1], box[0], box[1]);
        }
        return resizeAndCrop(decode.image());
    }

    /** {width, height} of the box of a draft decode that covers exactly the extent of the full image it stands for. */
    private float[] draftBox(int fullWidth, int fullHeight) {
        int denominator = TurboJpegDecoder.draftDenominator(fullWidth, fullHeight, 2 * spec.size());
        return new float[] {(float) fullWidth / denominator, (float) fullHeight / denominator};
    }

    /** In draft mode, a JPEG's full width and height as its header declares them, after orientation; else null. */
    private int[] orientedFullSize(byte[] encoded, ImageFormat format, int orientation) {
        int[] full = format == ImageFormat.JPEG && jpeg.draftActive() ? TurboJpegDecoder.headerSize(encoded) : null;
        return full != null && orientation >= 5 ? new int[] {full[1], full[0]} : full;
    }

    RgbImage resizeAndCrop(DecodedImage img) {
        return resizeAndCrop(img, img.width(), img.height(), img.width(), img.height());
    }

    /**
     * Resize and crop with the output geometry of a {@code w}×{@code h} image, resampling the box
     * {@code (0, 0, boxW, boxH)} of {@code img} (the whole of it unless it is a reduced-size decode).
     */
    private RgbImage resizeAndCrop(DecodedImage img, int w, int h, float boxW, float boxH) {
        Geometry g = geometry(w, h);
        return resample(img, g.outW(), g.outH(), g.crop(), boxW, boxH);
    }

    /** The resize size and crop of a {@code w}×{@code h} image. */
    private record Geometry(int outW, int outH, PilResampler.Crop crop) {}

    private Geometry geometry(int w, int h) {
        int size = spec.size();
        int outW;
        int outH;
        if (spec.resizeMode() == ResizeMode.SQUASH) {
            outW = size;
            outH = size;
        } else {
            boolean wide = w > h;
            long shortSide = wide ? h : w;
            long longSide = wide ? w : h;
            int newLong = (int) ((double) (size * longSide) / shortSide);
            outW = wide ? newLong : size;
            outH = wide ? size : newLong;
        }
        int cropX = (int) Math.rint((outW - size) / 2.0);
        int cropY = (int) Math.rint((outH - size) / 2.0);
        return new Geometry(outW, outH, new PilResampler.Crop(cropX, cropY, size, size));
    }

    /**
     * Resamples the box {@code (0, 0, boxW, boxH)} of {@code img} to {@code outW}×{@code outH} in the image's own
     * mode (as Pillow does), keeps {@code crop} of it and converts that to RGB.
     */
    private RgbImage resample(DecodedImage img, int outW, int outH, PilResampler.Crop crop, float boxW, float boxH) {
        byte[] rgb;
        if (img.mode() == PilMode.I) {
            int[] out = PilResampler.resize32(
                    img.ints(), img.width(), img.height(), outW, outH, crop, spec.interpolation());
            rgb = PilColorConversions.intGreyToRgb(out);
        } else {
            PilMode mode = img.mode();
            byte[] px = img.bytes();
            boolean premultiplied = mode == PilMode.LA || mode == PilMode.RGBA;
            if (premultiplied) {
                px = java.util.Arrays.copyOf(px, img.byteCount());
                PilColorConversions.premultiply(px, mode.channels);
            }
            byte[] out = PilResampler.resize8(
                    px, img.width(), img.height(), mode.channels, outW, outH, crop, spec.interpolation(), boxW, boxH);
            if (premultiplied) {
                PilColorConversions.unpremultiply(out, mode.channels);
            }
            rgb = PilColorConversions.toRgb(mode, out);
        }
        return new RgbImage(crop.width(), crop.height(), rgb);
    }

    /** The whole image scaled (never up) so that its longest side is at most {@code maxSide}, as RGB. */
    private RgbImage overview(DecodedImage img, int maxSide) {
        double scale = Math.min(1.0, (double) maxSide / Math.max(img.width(), img.height()));
        int w = Math.max(1, (int) Math.round(img.width() * scale));
        int h = Math.max(1, (int) Math.round(img.height() * scale));
        return resample(img, w, h, new PilResampler.Crop(0, 0, w, h), img.width(), img.height());
    }

    /**
     * Writes {@code (u8/255 - mean)/std} as planar CHW float32 into {@code dst} at its current position
     * ({@code 3 * width * height} floats), advancing it.
     *
     * @throws java.nio.BufferOverflowException when {@code dst} has too little room
     */
    public void writeNormalized(RgbImage pixels, FloatBuffer dst) {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(dst, "dst");
        int plane = pixels.width() * pixels.height();
        if (dst.remaining() < 3 * plane) {
            throw new java.nio.BufferOverflowException();
        }
        byte[] px = pixels.pixels();
        if (dst.hasArray()) {
            float[] arr = dst.array();
            int base = dst.arrayOffset() + dst.position();
            normalizeInto(px, plane, arr, base);
            dst.position(dst.position() + 3 * plane);
        } else {
            float[] tmp = new float[3 * plane];
            normalizeInto(px, plane, tmp, 0);
            dst.put(tmp);
        }
    }

    private void normalizeInto(byte[] px, int plane, float[] out, int base) {
        final float[] l = lut;
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            out[base + i] = l[px[p] & 0xFF];
            out[base + plane + i] = l[256 + (px[p + 1] & 0xFF)];
            out[base + 2 * plane + i] = l[512 + (px[p + 2] & 0xFF)];
        }
    }

    /** Convenience: {@link #preprocessPixels} + {@link #writeNormalized} into a new {@code float[3*size*size]}. */
    public float[] preprocess(byte[] encoded) throws ImageRejectedException {
        RgbImage pixels = preprocessPixels(encoded);
        float[] out = new float[3 * pixels.width() * pixels.height()];
        writeNormalized(pixels, FloatBuffer.wrap(out));
        return out;
    }
}
