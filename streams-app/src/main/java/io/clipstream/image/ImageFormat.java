package io.clipstream.image;

import java.util.Optional;

/** Container formats recognised from their magic bytes (file names and content types are never trusted). */
public enum ImageFormat {
    /** {@code FF D8 FF}. */
    JPEG,
    /** {@code 89 'PNG' 0D 0A 1A 0A}. */
    PNG,
    /** {@code 'GIF87a'} or {@code 'GIF89a'}. */
    GIF,
    /** {@code 'BM'} followed by a known DIB header size at offset 14. */
    BMP,
    /** {@code 'RIFF' <len> 'WEBP'}. */
    WEBP,
    /** {@code 'II' 2A 00}, {@code 'MM' 00 2A} (classic) or {@code 'II' 2B 00}, {@code 'MM' 00 2B} (BigTIFF). */
    TIFF;

    /** Number of leading bytes {@link #sniff} looks at; passing more is fine. */
    public static final int SNIFF_LENGTH = 18;

    /**
     * Identifies the format from the first bytes of the payload.
     *
     * @param head the start of the encoded image (at least {@link #SNIFF_LENGTH} bytes when available)
     * @return the format, or empty when unknown (including null or too-short input)
     */
    public static Optional<ImageFormat> sniff(byte[] head) {
        if (head == null || head.length < 3) {
            return Optional.empty();
        }
        if (u(head, 0) == 0xFF && u(head, 1) == 0xD8 && u(head, 2) == 0xFF) {
            return Optional.of(JPEG);
        }
        if (startsWith(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return Optional.of(PNG);
        }
        if (startsWith(head, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(head, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return Optional.of(GIF);
        }
        if (startsWith(head, 0, 'R', 'I', 'F', 'F') && startsWith(head, 8, 'W', 'E', 'B', 'P')) {
            return Optional.of(WEBP);
        }
        if (startsWith(head, 0, 'I', 'I', 0x2A, 0x00)
                || startsWith(head, 0, 'M', 'M', 0x00, 0x2A)
                || startsWith(head, 0, 'I', 'I', 0x2B, 0x00)
                || startsWith(head, 0, 'M', 'M', 0x00, 0x2B)) {
            return Optional.of(TIFF);
        }
        if (head.length >= 18 && startsWith(head, 0, 'B', 'M')) {
            long dibSize = u(head, 14) | (u(head, 15) << 8) | (u(head, 16) << 16) | ((long) u(head, 17) << 24);
            if (dibSize == 12
                    || dibSize == 16
                    || dibSize == 40
                    || dibSize == 52
                    || dibSize == 56
                    || dibSize == 64
                    || dibSize == 108
                    || dibSize == 124) {
                return Optional.of(BMP);
            }
        }
        return Optional.empty();
    }

    private static int u(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    private static boolean startsWith(byte[] b, int offset, int... expected) {
        if (b.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (u(b, offset + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
