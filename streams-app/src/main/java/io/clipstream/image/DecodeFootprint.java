package io.clipstream.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * How much heap decoding and preprocessing one image will hold at its peak, read from the header alone (no pixel
 * data is decoded): the decoder's raster (width × height × bands × bytes per sample), the copy into Pillow's mode
 * when the raster's layout is not already that, and the premultiplied copy that resizing with alpha makes.
 *
 * @param width width declared in the header
 * @param height height declared in the header
 * @param bytes estimated peak heap held while this image is decoded and preprocessed
 */
public record DecodeFootprint(long width, long height, long bytes) {

    /** Fixed overhead per image beyond the pixel arrays: reader state, row buffers, the resized copy. */
    static final long OVERHEAD_BYTES = 1L << 20;

    /** Decoded megapixels, for messages. */
    public double megapixels() {
        return width * height / 1e6;
    }

    /**
     * The footprint of {@code encoded}, from its header.
     *
     * @throws ImageRejectedException when the format is unknown or the header cannot be read
     */
    public static DecodeFootprint of(byte[] encoded) throws ImageRejectedException {
        ImageFormat format = ImageFormat.sniff(encoded)
                .orElseThrow(() -> new ImageRejectedException(
                        RejectionReason.UNKNOWN_FORMAT, "magic bytes match no supported image format"));
        return switch (format) {
            case PNG -> png(encoded);
            case GIF -> gif(encoded);
            default -> fromReader(encoded, format);
        };
    }

    /** PNG: IHDR gives the exact raster layout the JDK reader allocates. */
    private static DecodeFootprint png(byte[] d) throws ImageRejectedException {
        if (d.length < 33 || d[12] != 'I' || d[13] != 'H' || d[14] != 'D' || d[15] != 'R') {
            throw new ImageRejectedException(RejectionReason.CORRUPT, "PNG without IHDR chunk");
        }
        long w = u32(d, 16);
        long h = u32(d, 20);
        int bitDepth = d[24] & 0xFF;
        int colorType = d[25] & 0xFF;
        int samples =
                switch (colorType) {
                    case 2 -> 3;
                    case 4 -> 2;
                    case 6 -> 4;
                    default -> 1;
                };
        long pixels = w * h;
        long raster = pixels * samples * (bitDepth == 16 ? 2 : 1);
        // 8-bit grey, grey+alpha, RGB and RGBA rasters are already interleaved as Pillow's mode: no copy
        boolean inPlace = bitDepth == 8 && colorType != 3;
        long copy;
        if (inPlace) {
            copy = 0;
        } else if (colorType == 3) {
            copy = pixels * 3;
        } else if (colorType == 0 && bitDepth == 16) {
            copy = pixels * 4;
        } else {
            copy = pixels * samples;
        }
        boolean alpha = colorType == 4 || colorType == 6;
        long premultiplied = alpha ? pixels * samples : 0;
        return new DecodeFootprint(w, h, raster + copy + premultiplied + OVERHEAD_BYTES);
    }

    /** GIF: the logical screen, expanded to RGB, plus the frame's palette indexes. */
    private static DecodeFootprint gif(byte[] d) throws ImageRejectedException {
        if (d.length < 10) {
            throw new ImageRejectedException(RejectionReason.CORRUPT, "GIF shorter than its header");
        }
        long w = (d[6] & 0xFF) | (d[7] & 0xFF) << 8;
        long h = (d[8] & 0xFF) | (d[9] & 0xFF) << 8;
        return new DecodeFootprint(w, h, w * h * 4 + OVERHEAD_BYTES);
    }

    /** Other formats: the reader's header gives the size and its raw type the bands; one copy is assumed. */
    private static DecodeFootprint fromReader(byte[] encoded, ImageFormat format) throws ImageRejectedException {
        try (ImageInputStream in = new ByteArrayImageInputStream(encoded)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageRejectedException(RejectionReason.UNSUPPORTED, "no ImageIO reader for " + format);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                int bands = 4;
                int bytesPerSample = 1;
                ImageTypeSpecifier raw = reader.getRawImageType(0);
                if (raw != null) {
                    bands = raw.getSampleModel().getNumBands();
                    bytesPerSample = raw.getSampleModel().getSampleSize(0) > 8 ? 2 : 1;
                }
                long raster = w * h * bands * bytesPerSample;
                long alpha = bands == 2 || bands == 4 && format != ImageFormat.JPEG ? w * h * bands : 0;
                return new DecodeFootprint(w, h, raster + w * h * bands + alpha + OVERHEAD_BYTES);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            throw new ImageRejectedException(
                    RejectionReason.CORRUPT, format + " header could not be read: " + e.getMessage(), e);
        }
    }

    private static long u32(byte[] d, int i) {
        return ((long) (d[i] & 0xFF) << 24) | ((d[i + 1] & 0xFF) << 16) | ((d[i + 2] & 0xFF) << 8) | (d[i + 3] & 0xFF);
    }
}
