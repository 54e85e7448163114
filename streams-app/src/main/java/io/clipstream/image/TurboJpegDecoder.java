package io.clipstream.image;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.lang.ref.SoftReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes YCbCr, RGB and grey JPEGs with libjpeg-turbo's TurboJPEG API — the library Pillow itself decodes with,
 * about 2.5× faster than the JDK's libjpeg 6b — into the same {@link DecodedImage} as {@link ImageDecoder}'s
 * ImageIO path, sample for sample: accurate integer IDCT and fancy upsampling (TurboJPEG's defaults, as in
 * Pillow), no colour management. Optional: without the system library it is simply not used.
 *
 * <p>Anything it does not decode cleanly is left to the ImageIO path, which has the final word on what is
 * accepted and why something is rejected: CMYK/YCCK files, headers it cannot read, and any libjpeg warning
 * (truncated or corrupt data). A scale denominator of 2, 4 or 8 asks libjpeg-turbo for a reduced-size decode
 * (the DCT-domain scaling behind Pillow's {@code draft}); that is not what OpenAI's preprocessing does.
 */
final class TurboJpegDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(TurboJpegDecoder.class);
    /**
     * Native input and output buffers up to this size are kept per thread and reused ({@link Kept}): fresh pages
     * cost a page fault each the first time they are written (about 0.5 ms of a 1080p decode). Larger ones are
     * allocated per decode and freed after it. A kept buffer is freed by JNA's cleaner when its thread ends.
     */
    private static final long KEPT_BUFFER_BYTES = 16L << 20;

    private static final ThreadLocal<Kept> KEPT = new ThreadLocal<>();
    /**
     * The heap copy of a transient decode (one whose pixels are dropped before this thread decodes again): reusing
     * it saves allocating and zeroing a fresh array per image, about 0.6 ms of a 1080p decode (measured). Softly held, so that
     * the collector takes it back under memory pressure.
     */
    private static final ThreadLocal<SoftReference<byte[]>> KEPT_HEAP = new ThreadLocal<>();

    private TurboJpegDecoder() {}

    /** Whether libturbojpeg was loaded. */
    static boolean available() {
        return TurboJpegLibrary.LOADED;
    }

    /** The library file in use, or why it is unavailable. */
    static String describe() {
        return TurboJpegLibrary.LOADED
                ? "libjpeg-turbo TurboJPEG via JNA (" + TurboJpegLibrary.FILE + ")"
                : "libturbojpeg not loadable: " + TurboJpegLibrary.FAILURE;
    }

    /** {@link #decode(byte[], long, int, boolean)} into an array of its own. */
    static DecodedImage decode(byte[] data, long maxPixels, int draftMinSide) throws ImageRejectedException {
        return decode(data, maxPixels, draftMinSide, false);
    }

    /**
     * Decodes {@code data} at full size, or reduced by the largest of 8, 4, 2 that keeps the short side at least
     * {@code draftMinSide} (0: always full size). A {@code transientPixels} decode may return its pixels in an array
     * that this thread's next transient decode overwrites (and that may be longer than the image): the caller must
     * be done with them by then.
     *
     * @return the decoded image, or null when the ImageIO path should decode this file
     * @throws ImageRejectedException when the header declares more than {@code maxPixels} pixels
     */
    static DecodedImage decode(byte[] data, long maxPixels, int draftMinSide, boolean transientPixels)
            throws ImageRejectedException {
        try (NativeDecode decoded = decodeNative(data, maxPixels, draftMinSide)) {
            if (decoded == null) {
                return null;
            }
            return transientPixels ? decoded.toHeap(keptHeap(decoded.byteCount())) : decoded.toHeap();
        }
    }

    /**
     * {@link #decode(byte[], long, int, boolean)} without the copy into the heap: the pixels stay in native memory,
     * in this thread's kept buffer (valid until this thread's next decode, and checked) or in a buffer of their own
     * for a very large image, freed by {@link NativeDecode#close()}.
     *
     * @return the decoded image, or null when the ImageIO path should decode this file
     * @throws ImageRejectedException when the header declares more than {@code maxPixels} pixels
     */
    static NativeDecode decodeNative(byte[] data, long maxPixels, int draftMinSide) throws ImageRejectedException {
        if (!TurboJpegLibrary.LOADED || data.length == 0) {
            return null;
        }
        Pointer handle = TurboJpegLibrary.tjInitDecompress();
        if (handle == null) {
            return null;
        }
        Kept kept = kept();
        Memory src = kept.input(data.length);
        try {
            src.write(0, data, 0, data.length);
            NativeLong size = new NativeLong(data.length);
            int[] width = new int[1];
            int[] height = new int[1];
            int[] subsampling = new int[1];
            int[] colourspace = new int[1];
            if (TurboJpegLibrary.tjDecompressHeader3(handle, src, size, width, height, subsampling, colourspace) != 0) {
                LOG.debug(
                        "TurboJPEG cannot read the header ({}); using ImageIO",
                        TurboJpegLibrary.tjGetErrorStr2(handle));
                return null;
            }
            PilMode mode;
            int format;
            switch (colourspace[0]) {
                case TurboJpegLibrary.TJCS_YCBCR, TurboJpegLibrary.TJCS_RGB -> {
                    mode = PilMode.RGB;
                    format = TurboJpegLibrary.TJPF_RGB;
                }
                case TurboJpegLibrary.TJCS_GRAY -> {
                    mode = PilMode.L;
                    format = TurboJpegLibrary.TJPF_GRAY;
                }
                default -> {
                    return null;
                }
            }
            long w = width[0];
            long h = height[0];
            if (w <= 0 || h <= 0) {
                return null;
            }
            if (w * h > maxPixels) {
                throw new ImageRejectedException(
                        RejectionReason.TOO_MANY_PIXELS,
                        "JPEG header declares " + w + "x" + h + " = " + w * h + " pixels, limit is " + maxPixels);
            }
            int denominator = draftDenominator(width[0], height[0], draftMinSide);
            int outW = scaled(width[0], denominator);
            int outH = scaled(height[0], denominator);
            int bytes = Math.multiplyExact(Math.multiplyExact(outW, outH), mode.channels);
            boolean keep = bytes <= KEPT_BUFFER_BYTES;
            Memory dst = keep ? kept.output(bytes) : new Memory(bytes);
            int rc = TurboJpegLibrary.tjDecompress2(handle, src, size, dst, outW, 0, outH, format, 0);
            if (rc != 0) {
                LOG.debug(
                        "TurboJPEG {} ({}); using ImageIO",
                        TurboJpegLibrary.tjGetErrorCode(handle) == TurboJpegLibrary.TJERR_WARNING ? "warned" : "failed",
                        TurboJpegLibrary.tjGetErrorStr2(handle));
                if (!keep) {
                    dst.close();
                }
                return null;
            }
            return keep
                    ? new NativeDecode(mode, outW, outH, width[0], height[0], dst, kept::isCurrent, kept.lease())
                    : new NativeDecode(mode, outW, outH, width[0], height[0], dst, lease -> true, 0);
        } finally {
            kept.release(src);
            TurboJpegLibrary.tjDestroy(handle);
        }
    }

    /** Width and height from the JPEG header, or null when libturbojpeg is absent or cannot read it. */
    static int[] headerSize(byte[] data) {
        if (!TurboJpegLibrary.LOADED || data.length == 0) {
            return null;
        }
        Pointer handle = TurboJpegLibrary.tjInitDecompress();
        if (handle == null) {
            return null;
        }
        try (Memory src = new Memory(data.length)) {
            src.write(0, data, 0, data.length);
            int[] width = new int[1];
            int[] height = new int[1];
            int rc = TurboJpegLibrary.tjDecompressHeader3(
                    handle, src, new NativeLong(data.length), width, height, new int[1], new int[1]);
            return rc == 0 ? new int[] {width[0], height[0]} : null;
        } finally {
            TurboJpegLibrary.tjDestroy(handle);
        }
    }

    /** This thread's kept buffers. */
    private static Kept kept() {
        Kept kept = KEPT.get();
        if (kept == null) {
            kept = new Kept();
            KEPT.set(kept);
        }
        return kept;
    }

    /**
     * A thread's reused native buffers: fresh pages cost a page fault each the first time they are written. The
     * compressed input is copied into one (when it fits the limit); the pixels are decoded into the other, and each
     * decode into it takes a new lease, which ends the previous one: a {@link NativeDecode} checks its lease before it
     * reads, so pixels overwritten by a later decode are never read.
     */
    private static final class Kept {
        private Memory input;
        private Memory output;
        private long lease;

        /** A buffer for {@code bytes} of compressed input: the kept one, or a new one {@link #release} frees. */
        Memory input(int bytes) {
            if (bytes > KEPT_BUFFER_BYTES) {
                return new Memory(bytes);
            }
            if (input == null || input.size() < bytes) {
                if (input != null) {
                    input.close();
                }
                input = new Memory(bytes);
            }
            return input;
        }

        void release(Memory buffer) {
            if (buffer != input) {
                buffer.close();
            }
        }

        /** The kept output buffer, grown to at least {@code bytes}; ends the current lease. */
        Memory output(int bytes) {
            if (output == null || output.size() < bytes) {
                if (output != null) {
                    output.close();
                }
                output = new Memory(bytes);
            }
            ++lease;
            return output;
        }

        long lease() {
            return lease;
        }

        boolean isCurrent(long lease) {
            return this.lease == lease;
        }
    }

    /** This thread's kept heap array when {@code bytes} fits the limit (grown as needed), else a new one. */
    private static byte[] keptHeap(int bytes) {
        if (bytes > KEPT_BUFFER_BYTES) {
            return new byte[bytes];
        }
        SoftReference<byte[]> ref = KEPT_HEAP.get();
        byte[] kept = ref != null ? ref.get() : null;
        if (kept == null || kept.length < bytes) {
            kept = new byte[bytes];
            KEPT_HEAP.set(new SoftReference<>(kept));
        }
        return kept;
    }

    /** The largest of 8, 4, 2 whose scaled short side is still ≥ {@code minSide}; 1 when none or no draft. */
    static int draftDenominator(int width, int height, int minSide) {
        if (minSide <= 0) {
            return 1;
        }
        for (int d = 8; d >= 2; d /= 2) {
            if (Math.min(scaled(width, d), scaled(height, d)) >= minSide) {
                return d;
            }
        }
        return 1;
    }

    /** TurboJPEG's {@code TJSCALED}: the dimension scaled by 1/denominator, rounded up. */
    static int scaled(int dimension, int denominator) {
        return (dimension + denominator - 1) / denominator;
    }
}
