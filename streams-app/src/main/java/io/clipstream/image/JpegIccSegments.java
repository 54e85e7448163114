package io.clipstream.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Removes the APP2 {@code ICC_PROFILE} segments of a JPEG so that a decoder that would colour-manage with them
 * (the JDK's reader) returns the stored samples, as Pillow does. Nothing else is touched: every other segment,
 * the scans and any bytes after them are copied as they are.
 */
final class JpegIccSegments {
    private static final byte[] ICC_TAG = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);

    private JpegIccSegments() {}

    /** {@code jpeg} without its ICC profile segments; the same array when it has none or is not well formed. */
    static byte[] strip(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8 || findIcc(jpeg) < 0) {
            return jpeg;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);
        int i = 2;
        while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            int end = i + 2 + ((jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF));
            if (end > jpeg.length) {
                break;
            }
            if (!isIcc(jpeg, i, end)) {
                out.write(jpeg, i, end - i);
            }
            i = end;
        }
        out.write(jpeg, i, jpeg.length - i);
        return out.toByteArray();
    }

    /** Offset of the first ICC_PROFILE segment before the first scan, or -1. */
    private static int findIcc(byte[] jpeg) {
        int i = 2;
        while (i + 4 <= jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return -1;
            }
            int end = i + 2 + ((jpeg[i + 2] & 0xFF) << 8 | (jpeg[i + 3] & 0xFF));
            if (end > jpeg.length) {
                return -1;
            }
            if (isIcc(jpeg, i, end)) {
                return i;
            }
            i = end;
        }
        return -1;
    }

    private static boolean isIcc(byte[] jpeg, int start, int end) {
        if ((jpeg[start + 1] & 0xFF) != 0xE2 || end - (start + 4) < ICC_TAG.length) {
            return false;
        }
        for (int k = 0; k < ICC_TAG.length; k++) {
            if (jpeg[start + 4 + k] != ICC_TAG[k]) {
                return false;
            }
        }
        return true;
    }
}
