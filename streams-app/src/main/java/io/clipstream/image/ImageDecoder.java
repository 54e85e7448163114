package io.clipstream.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Decodes the first image of an encoded payload into the {@link PilMode} Pillow 9.4 would open it as, with the
 * same sample values:
 * <ul>
 *   <li>JPEG: libjpeg-turbo ({@link TurboJpegDecoder}) for YCbCr/RGB/grey files when the system library loads,
 *       otherwise (and for CMYK/YCCK and files libjpeg warns about) the JDK's libjpeg-based reader (ISLOW IDCT,
 *       fancy upsampling — identical output to Pillow's libjpeg-turbo); grey stays L; Adobe CMYK and YCCK come
 *       out as raw, non-inverted CMYK like Pillow's "CMYK" mode; embedded ICC profiles are ignored (Pillow
 *       ignores them too): the APP2 ICC_PROFILE segments are removed before the JDK reader sees the file, since
 *       it would otherwise convert to sRGB. TwelveMonkeys is the fallback for files the JDK reader refuses.
 *       A truncated file (libjpeg's "premature end" warning) is rejected as
 *       {@link RejectionReason#CORRUPT}, as Pillow raises "image file is truncated".</li>
 *   <li>PNG: palette images are expanded through the palette ignoring transparency (Pillow's P → RGB); grey and
 *       RGB images with a tRNS chunk keep no alpha; 16-bit grey becomes mode I with the full 16-bit values;
 *       other 16-bit images keep the high byte; grey+alpha is LA, RGBA is RGBA.</li>
 *   <li>GIF: only the first frame, placed on the logical screen filled with the transparent index (or 0), then
 *       expanded through its palette.</li>
 *   <li>BMP, WebP (libwebp), TIFF (TwelveMonkeys): RGB / RGBA / L / palette as stored.</li>
 * </ul>
 * The pixel count declared in the header is checked before any pixel data is read. Every decoder failure is
 * wrapped in an {@link ImageRejectedException}.
 */
final class ImageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);
    private static final Map<ImageFormat, List<ImageReaderSpi>> READERS = findReaders();

    private ImageDecoder() {}

    private static Map<ImageFormat, List<ImageReaderSpi>> findReaders() {
        ImageIO.scanForPlugins();
        Map<ImageFormat, List<ImageReaderSpi>> map = new EnumMap<>(ImageFormat.class);
        IIORegistry registry = IIORegistry.getDefaultInstance();
        for (ImageFormat format : ImageFormat.values()) {
            List<ImageReaderSpi> spis = new ArrayList<>();
            Iterator<ImageReaderSpi> it = registry.getServiceProviders(ImageReaderSpi.class, true);
            while (it.hasNext()) {
                ImageReaderSpi spi = it.next();
                for (String name : spi.getFormatNames()) {
                    if (name.toLowerCase(Locale.ROOT).equals(format.name().toLowerCase(Locale.ROOT))) {
                        spis.add(spi);
                        break;
                    }
                }
            }
            spis.sort(Comparator.comparingInt(spi -> preference(format, spi)));
            map.put(format, List.copyOf(spis));
            LOG.debug("{} readers: {}", format, spis);
        }
        return map;
    }

    /** Lower is preferred: the readers whose output is known to be identical to Pillow's come first. */
    private static int preference(ImageFormat format, ImageReaderSpi spi) {
        String cls = spi.getClass().getName();
        boolean jdk = cls.startsWith("com.sun.imageio.");
        boolean twelveMonkeys = cls.startsWith("com.twelvemonkeys.");
        return switch (format) {
            case JPEG, PNG, GIF, BMP -> jdk ? 0 : (twelveMonkeys ? 1 : 2);
            case TIFF -> twelveMonkeys ? 0 : (jdk ? 1 : 2);
            case WEBP -> 0;
        };
    }

    /** Decodes the first frame of {@code data}, already sniffed as {@code format}. */
    static DecodedImage decode(byte[] data, ImageFormat format, long maxPixels) throws ImageRejectedException {
        return decode(data, format, maxPixels, JpegDecoding.DEFAULT, 0);
    }

    /**
     * Decodes the first frame of {@code data}; JPEGs go to libjpeg-turbo ({@link TurboJpegDecoder}) when
     * {@code jpeg} says so and it decodes them cleanly, to ImageIO otherwise. With draft on, a JPEG may come back
     * reduced by 2, 4 or 8 with its short side still ≥ {@code draftMinSide}.
     */
    static DecodedImage decode(byte[] data, ImageFormat format, long maxPixels, JpegDecoding jpeg, int draftMinSide)
            throws ImageRejectedException {
        return decode(data, format, maxPixels, jpeg, draftMinSide, false);
    }

    /**
     * {@link #decode(byte[], ImageFormat, long, JpegDecoding, int)}; with {@code transientPixels} the pixels may lie
     * in an array this thread's next transient decode reuses, and that is longer than the image
     * ({@link TurboJpegDecoder#decode}).
     */
    static DecodedImage decode(
            byte[] data,
            ImageFormat format,
            long maxPixels,
            JpegDecoding jpeg,
            int draftMinSide,
            boolean transientPixels)
            throws ImageRejectedException {
        if (format == ImageFormat.JPEG && jpeg.usesTurboJpeg()) {
            DecodedImage image =
                    TurboJpegDecoder.decode(data, maxPixels, jpeg.draftActive() ? draftMinSide : 0, transientPixels);
            if (image != null) {
                return image;
            }
        }
        return decodeWithImageIo(data, format, maxPixels);
    }

    /** {@link #decode} through ImageIO only (the pure-Java path, always available). */
    static DecodedImage decodeWithImageIo(byte[] data, ImageFormat format, long maxPixels)
            throws ImageRejectedException {
        List<ImageReaderSpi> spis = READERS.getOrDefault(format, List.of());
        if (spis.isEmpty()) {
            throw new ImageRejectedException(RejectionReason.UNSUPPORTED, "no ImageIO reader for " + format);
        }
        PngHeader png = format == ImageFormat.PNG ? PngHeader.parse(data) : null;
        if (png != null) {
            checkPixels(png.width, png.height, maxPixels, format);
        }
        if (format == ImageFormat.GIF && data.length >= 10) {
            checkPixels(
                    (data[6] & 0xFF) | (data[7] & 0xFF) << 8,
                    (data[8] & 0xFF) | (data[9] & 0xFF) << 8,
                    maxPixels,
                    format);
        }
        ImageRejectedException first = null;
        for (ImageReaderSpi spi : spis) {
            try {
                return decodeWith(spi, data, format, png, maxPixels);
            } catch (ImageRejectedException e) {
                if (e.reason() == RejectionReason.TOO_MANY_PIXELS || e instanceof TruncatedImageException) {
                    throw e;
                }
                if (first == null) {
                    first = e;
                }
                LOG.debug("{} reader {} failed: {}", format, spi.getClass().getName(), e.getMessage());
            }
        }
        throw first;
    }

    private static void checkPixels(long width, long height, long maxPixels, ImageFormat format)
            throws ImageRejectedException {
        if (width <= 0 || height <= 0) {
            throw new ImageRejectedException(
                    RejectionReason.CORRUPT, format + " header declares an empty image " + width + "x" + height);
        }
        if (width * height > maxPixels) {
            throw new ImageRejectedException(
                    RejectionReason.TOO_MANY_PIXELS,
                    format + " header declares " + width + "x" + height + " = " + width * height + " pixels, limit is "
                            + maxPixels);
        }
    }

    private static DecodedImage decodeWith(
            ImageReaderSpi spi, byte[] data, ImageFormat format, PngHeader png, long maxPixels)
            throws ImageRejectedException {
        ImageReader reader;
        try {
            reader = spi.createReaderInstance();
        } catch (IOException e) {
            throw new ImageRejectedException(RejectionReason.UNSUPPORTED, "cannot create " + format + " reader", e);
        }
        List<String> warnings = new ArrayList<>();
        if (format == ImageFormat.JPEG && spi.getClass().getName().startsWith("com.sun.imageio.")) {
            // the JDK reader colour-manages YCbCr/RGB files with an embedded ICC profile into sRGB; Pillow (and
            // so CLIP's training data and OpenAI's preprocess) ignores the profile: hide it from the reader
            data = JpegIccSegments.strip(data);
        }
        try (ImageInputStream in = new ByteArrayImageInputStream(data)) {
            reader.setInput(in, true, format != ImageFormat.GIF);
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkPixels(width, height, maxPixels, format);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            ImageReadParam param = reader.getDefaultReadParam();
            BufferedImage image = reader.read(0, param);
            for (String warning : warnings) {
                String w = warning.toLowerCase(Locale.ROOT);
                if (w.contains("premature end") || w.contains("truncated") || w.contains("missing eoi")) {
                    throw new TruncatedImageException(format, warning);
                }
            }
            if (!warnings.isEmpty()) {
                LOG.debug("{} decoder warnings: {}", format, warnings);
            }
            if (format == ImageFormat.GIF) {
                return gifFirstFrame(image, reader.getImageMetadata(0), data);
            }
            boolean dropAlpha = png != null && (png.colorType == 0 || png.colorType == 2);
            return fromImage(image, dropAlpha, format);
        } catch (ImageRejectedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            boolean unsupported = e instanceof UnsupportedOperationException || isUnsupportedFeature(message);
            throw new ImageRejectedException(
                    unsupported ? RejectionReason.UNSUPPORTED : RejectionReason.CORRUPT,
                    format + " data could not be decoded: " + message,
                    e);
        } finally {
            reader.dispose();
        }
    }

    /** Decoder messages that mean "valid file, feature we cannot decode" rather than broken data. */
    private static boolean isUnsupportedFeature(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("unsupported")
                || m.contains("not supported")
                || m.contains("unknown") && (m.contains("compression") || m.contains("photometric"));
    }

    /** IHDR fields; the PNG signature has been checked by sniffing. */
    private record PngHeader(long width, long height, int bitDepth, int colorType) {
        static PngHeader parse(byte[] d) throws ImageRejectedException {
            if (d.length < 33 || d[12] != 'I' || d[13] != 'H' || d[14] != 'D' || d[15] != 'R') {
                throw new ImageRejectedException(RejectionReason.CORRUPT, "PNG without IHDR chunk");
            }
            return new PngHeader(u32(d, 16), u32(d, 20), d[24] & 0xFF, d[25] & 0xFF);
        }

        private static long u32(byte[] d, int i) {
            return ((long) (d[i] & 0xFF) << 24)
                    | ((d[i + 1] & 0xFF) << 16)
                    | ((d[i + 2] & 0xFF) << 8)
                    | (d[i + 3] & 0xFF);
        }
    }

    private static DecodedImage fromImage(BufferedImage image, boolean dropAlpha, ImageFormat format)
            throws ImageRejectedException {
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        if (cm instanceof IndexColorModel icm) {
            return DecodedImage.ofBytes(PilMode.RGB, w, h, expandPalette(raster, icm, null, 0, 0, w, h));
        }
        int csType = cm.getColorSpace().getType();
        int bits = raster.getSampleModel().getSampleSize(0);
        boolean alpha = cm.hasAlpha() && !dropAlpha;
        int colourBands = cm.hasAlpha() ? bands - 1 : bands;
        PilMode mode;
        if (csType == ColorSpace.TYPE_GRAY && colourBands == 1) {
            if (bits > 8 && !alpha) {
                return DecodedImage.ofInts(w, h, readInts(raster));
            }
            mode = alpha ? PilMode.LA : PilMode.L;
        } else if (csType == ColorSpace.TYPE_CMYK && colourBands == 4 && !cm.hasAlpha()) {
            mode = PilMode.CMYK;
        } else if (colourBands == 3) {
            mode = alpha ? PilMode.RGBA : PilMode.RGB;
        } else {
            throw new ImageRejectedException(
                    RejectionReason.UNSUPPORTED,
                    format + " with " + bands + " bands in colour space type " + csType + " is not supported");
        }
        return DecodedImage.ofBytes(mode, w, h, readBytes(raster, mode.channels, bits));
    }

    /** Copies the first {@code channels} bands (8-bit, or the high byte of wider samples) interleaved. */
    private static byte[] readBytes(Raster raster, int channels, int bits) {
        byte[] decoded = alreadyInterleaved(raster, channels, bits);
        if (decoded != null) {
            return decoded;
        }
        int w = raster.getWidth();
        int h = raster.getHeight();
        byte[] out = new byte[w * h * channels];
        SampleModel sm = raster.getSampleModel();
        if (raster.getDataBuffer() instanceof DataBufferByte dbb
                && dbb.getNumBanks() == 1
                && sm instanceof ComponentSampleModel csm
                && bits == 8
                && raster.getSampleModelTranslateX() == 0
                && raster.getSampleModelTranslateY() == 0) {
            byte[] src = dbb.getData();
            int offset = dbb.getOffset();
            int pixelStride = csm.getPixelStride();
            int scan = csm.getScanlineStride();
            int[] bandOffsets = csm.getBandOffsets();
            int[] banks = csm.getBankIndices();
            boolean singleBank = true;
            for (int b : banks) {
                singleBank &= b == 0;
            }
            if (singleBank) {
                if (channels == 3) {
                    int o0 = bandOffsets[0];
                    int o1 = bandOffsets[1];
                    int o2 = bandOffsets[2];
                    int o = 0;
                    for (int y = 0; y < h; y++) {
                        int p = offset + y * scan;
                        for (int x = 0; x < w; x++, p += pixelStride) {
                            out[o++] = src[p + o0];
                            out[o++] = src[p + o1];
                            out[o++] = src[p + o2];
                        }
                    }
                } else {
                    int o = 0;
                    for (int y = 0; y < h; y++) {
                        int p = offset + y * scan;
                        for (int x = 0; x < w; x++, p += pixelStride) {
                            for (int c = 0; c < channels; c++) {
                                out[o++] = src[p + bandOffsets[c]];
                            }
                        }
                    }
                }
                return out;
            }
        }
        int bands = raster.getNumBands();
        int[] row = new int[w * bands];
        int[] sizes = sm.getSampleSize();
        int o = 0;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < channels; c++) {
                    out[o++] = (byte) to8Bit(row[x * bands + c], sizes[c]);
                }
            }
        }
        return out;
    }

    /**
     * The raster's own array when the decoder wrote the interleaved 8-bit bytes wanted, with no padding, in some
     * band order (the JDK gives BGR and ABGR): the bands are put in order in place, so that a large image is not
     * held twice. Else null.
     */
    private static byte[] alreadyInterleaved(Raster raster, int channels, int bits) {
        if (bits != 8
                || raster.getNumBands() != channels
                || raster.getSampleModelTranslateX() != 0
                || raster.getSampleModelTranslateY() != 0
                || !(raster.getDataBuffer() instanceof DataBufferByte dbb)
                || dbb.getNumBanks() != 1
                || dbb.getOffset() != 0
                || !(raster.getSampleModel() instanceof ComponentSampleModel csm)
                || csm.getPixelStride() != channels
                || csm.getScanlineStride() != raster.getWidth() * channels) {
            return null;
        }
        byte[] data = dbb.getData();
        if (data.length != raster.getWidth() * raster.getHeight() * channels) {
            return null;
        }
        int[] offsets = csm.getBandOffsets();
        boolean inOrder = true;
        int seen = 0;
        for (int c = 0; c < channels; c++) {
            if (offsets[c] < 0 || offsets[c] >= channels || csm.getBankIndices()[c] != 0) {
                return null;
            }
            seen |= 1 << offsets[c];
            inOrder &= offsets[c] == c;
        }
        if (seen != (1 << channels) - 1) {
            return null;
        }
        if (!inOrder) {
            byte[] pixel = new byte[channels];
            for (int p = 0; p < data.length; p += channels) {
                for (int c = 0; c < channels; c++) {
                    pixel[c] = data[p + offsets[c]];
                }
                System.arraycopy(pixel, 0, data, p, channels);
            }
        }
        return data;
    }

    /** Pillow's sample depth conversion: wider samples keep their high byte, narrower ones are scaled up. */
    private static int to8Bit(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        if (bits > 8) {
            return v >>> (bits - 8);
        }
        return v * 255 / ((1 << bits) - 1);
    }

    private static int[] readInts(Raster raster) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] out = new int[w * h];
        raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, 0, out);
        return out;
    }

    /** Palette expansion (Pillow's P → RGB, which ignores transparency) into a canvas. */
    private static byte[] expandPalette(
            Raster raster, IndexColorModel icm, byte[] canvas, int left, int top, int canvasW, int canvasH) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int size = icm.getMapSize();
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        byte[] tr = new byte[size];
        byte[] tg = new byte[size];
        byte[] tb = new byte[size];
        icm.getReds(tr);
        icm.getGreens(tg);
        icm.getBlues(tb);
        System.arraycopy(tr, 0, r, 0, Math.min(size, 256));
        System.arraycopy(tg, 0, g, 0, Math.min(size, 256));
        System.arraycopy(tb, 0, b, 0, Math.min(size, 256));
        byte[] out = canvas != null ? canvas : new byte[canvasW * canvasH * 3];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            int cy = top + y;
            if (cy < 0 || cy >= canvasH) {
                continue;
            }
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int cx = left + x;
                if (cx < 0 || cx >= canvasW) {
                    continue;
                }
                int i = row[x] & 0xFF;
                int o = (cy * canvasW + cx) * 3;
                out[o] = r[i];
                out[o + 1] = g[i];
                out[o + 2] = b[i];
            }
        }
        return out;
    }

    /**
     * Pillow 9.4 draws frame 0 onto the logical screen, which starts filled with the transparent index when the
     * frame has one and index 0 otherwise; the result is expanded through the frame's palette.
     */
    private static DecodedImage gifFirstFrame(BufferedImage frame, IIOMetadata metadata, byte[] data)
            throws ImageRejectedException {
        if (!(frame.getColorModel() instanceof IndexColorModel icm)) {
            throw new ImageRejectedException(RejectionReason.UNSUPPORTED, "GIF frame without a palette");
        }
        int screenW = (data[6] & 0xFF) | (data[7] & 0xFF) << 8;
        int screenH = (data[8] & 0xFF) | (data[9] & 0xFF) << 8;
        int left = 0;
        int top = 0;
        int fill = 0;
        if (metadata != null) {
            Node root = metadata.getAsTree("javax_imageio_gif_image_1.0");
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                NamedNodeMap attrs = n.getAttributes();
                if ("ImageDescriptor".equals(n.getNodeName())) {
                    left = Integer.parseInt(
                            attrs.getNamedItem("imageLeftPosition").getNodeValue());
                    top = Integer.parseInt(
                            attrs.getNamedItem("imageTopPosition").getNodeValue());
                } else if ("GraphicControlExtension".equals(n.getNodeName())
                        && "TRUE"
                                .equalsIgnoreCase(attrs.getNamedItem("transparentColorFlag")
                                        .getNodeValue())) {
                    fill = Integer.parseInt(
                            attrs.getNamedItem("transparentColorIndex").getNodeValue());
                }
            }
        }
        Raster raster = frame.getRaster();
        if (screenW <= 0 || screenH <= 0) {
            screenW = raster.getWidth();
            screenH = raster.getHeight();
        }
        byte[] canvas = new byte[screenW * screenH * 3];
        boolean covers =
                left <= 0 && top <= 0 && left + raster.getWidth() >= screenW && top + raster.getHeight() >= screenH;
        if (!covers) {
            int size = icm.getMapSize();
            int i = fill < size ? fill : -1;
            byte fr = (byte) (i >= 0 ? icm.getRed(i) : 0);
            byte fg = (byte) (i >= 0 ? icm.getGreen(i) : 0);
            byte fb = (byte) (i >= 0 ? icm.getBlue(i) : 0);
            for (int p = 0; p < canvas.length; p += 3) {
                canvas[p] = fr;
                canvas[p + 1] = fg;
                canvas[p + 2] = fb;
            }
        }
        expandPalette(raster, icm, canvas, left, top, screenW, screenH);
        return DecodedImage.ofBytes(PilMode.RGB, screenW, screenH, canvas);
    }
}
