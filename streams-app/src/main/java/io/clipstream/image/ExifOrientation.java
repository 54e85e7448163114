package io.clipstream.image;

import com.drew.imaging.FileType;
import com.drew.imaging.ImageMetadataReader;
import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.io.ByteArrayInputStream;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the EXIF orientation tag (0x0112, values 1-8) and applies it like {@code PIL.ImageOps.exif_transpose}
 * so phone photos come out upright. OpenAI's CLIP preprocess does not do this; we deliberately do, before
 * anything else.
 *
 * <p>Mapping (PIL transpose methods): 2 = FLIP_LEFT_RIGHT, 3 = ROTATE_180, 4 = FLIP_TOP_BOTTOM, 5 = TRANSPOSE,
 * 6 = ROTATE_270 (90° clockwise), 7 = TRANSVERSE, 8 = ROTATE_90 (90° counter-clockwise). Missing, invalid or
 * unreadable metadata means orientation 1 (no change).
 */
final class ExifOrientation {
    private static final Logger LOG = LoggerFactory.getLogger(ExifOrientation.class);

    private ExifOrientation() {}

    /** The EXIF orientation of the encoded image, 1 when absent or unreadable. Never throws. */
    static int read(byte[] data, ImageFormat format) {
        try {
            Metadata metadata =
                    switch (format) {
                        case JPEG ->
                            JpegMetadataReader.readMetadata(new ByteArrayInputStream(data), List.of(new ExifReader()));
                        case PNG ->
                            ImageMetadataReader.readMetadata(new ByteArrayInputStream(data), data.length, FileType.Png);
                        case WEBP ->
                            ImageMetadataReader.readMetadata(
                                    new ByteArrayInputStream(data), data.length, FileType.WebP);
                        case TIFF ->
                            ImageMetadataReader.readMetadata(
                                    new ByteArrayInputStream(data), data.length, FileType.Tiff);
                        case GIF, BMP -> null;
                    };
            if (metadata == null) {
                return 1;
            }
            ExifIFD0Directory dir = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (dir == null || !dir.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                return 1;
            }
            Integer value = dir.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
            return value != null && value >= 1 && value <= 8 ? value : 1;
        } catch (Exception | StackOverflowError e) {
            LOG.debug("ignoring unreadable EXIF metadata in {} image: {}", format, e.toString());
            return 1;
        }
    }

    /** Applies {@code orientation} (1-8) to the decoded pixels; returns the same instance for 1. */
    static DecodedImage apply(DecodedImage img, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return img;
        }
        final int w = img.width();
        final int h = img.height();
        final boolean swap = orientation >= 5;
        final int ow = swap ? h : w;
        final int oh = swap ? w : h;
        final int[] ints = img.ints();
        final byte[] bytes = img.bytes();
        final int ch = img.mode().channels;
        final int[] outInts = ints != null ? new int[ints.length] : null;
        final byte[] outBytes = bytes != null ? new byte[img.byteCount()] : null;
        int o = 0;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++, o++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> {
                        sx = w - 1 - x;
                        sy = y;
                    }
                    case 3 -> {
                        sx = w - 1 - x;
                        sy = h - 1 - y;
                    }
                    case 4 -> {
                        sx = x;
                        sy = h - 1 - y;
                    }
                    case 5 -> {
                        sx = y;
                        sy = x;
                    }
                    case 6 -> {
                        sx = y;
                        sy = h - 1 - x;
                    }
                    case 7 -> {
                        sx = w - 1 - y;
                        sy = h - 1 - x;
                    }
                    default -> {
                        sx = w - 1 - y;
                        sy = x;
                    }
                }
                int s = sy * w + sx;
                if (outInts != null) {
                    outInts[o] = ints[s];
                } else {
                    System.arraycopy(bytes, s * ch, outBytes, o * ch, ch);
                }
            }
        }
        return outInts != null
                ? DecodedImage.ofInts(ow, oh, outInts)
                : DecodedImage.ofBytes(img.mode(), ow, oh, outBytes);
    }
}
