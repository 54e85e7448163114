package io.clipstream.image;

import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.util.function.LongPredicate;

/**
 * A libjpeg-turbo decode whose pixels stay in native memory ({@link TurboJpegDecoder#decodeNative}): interleaved
 * 8-bit RGB or grey, {@code width * channels} bytes per row. The pixels usually lie in the decoding thread's reused
 * buffer, valid until that thread decodes again; every read checks that first and fails rather than read another
 * image's pixels. Use on the decoding thread, and close it (which frees a buffer of its own; idempotent).
 */
final class NativeDecode implements AutoCloseable {
    private final PilMode mode;
    private final int width;
    private final int height;
    private final int fullWidth;
    private final int fullHeight;
    private final Memory memory;
    private final LongPredicate current;
    private final long lease;
    private final boolean owned;
    private boolean closed;

    NativeDecode(
            PilMode mode,
            int width,
            int height,
            int fullWidth,
            int fullHeight,
            Memory memory,
            LongPredicate current,
            long lease) {
        this.mode = mode;
        this.width = width;
        this.height = height;
        this.fullWidth = fullWidth;
        this.fullHeight = fullHeight;
        this.memory = memory;
        this.current = current;
        this.lease = lease;
        this.owned = lease == 0;
    }

    PilMode mode() {
        return mode;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** The size the JPEG header declares (larger than width × height for a draft decode). */
    int fullWidth() {
        return fullWidth;
    }

    int fullHeight() {
        return fullHeight;
    }

    int byteCount() {
        return width * height * mode.channels;
    }

    /**
     * The pixels, as a buffer over the native memory.
     *
     * @throws IllegalStateException when closed, or when a later decode on this thread has reused the buffer
     */
    ByteBuffer pixels() {
        if (closed || !current.test(lease)) {
            throw new IllegalStateException(closed ? "decode closed" : "decode buffer reused by a later decode");
        }
        return memory.getByteBuffer(0, byteCount());
    }

    /** A heap copy in a new array, for the paths that need one. */
    DecodedImage toHeap() {
        return toHeap(new byte[byteCount()]);
    }

    /** A heap copy into {@code into}, which holds at least {@link #byteCount()} bytes. */
    DecodedImage toHeap(byte[] into) {
        pixels().get(0, into, 0, byteCount());
        return DecodedImage.ofBytes(mode, width, height, into);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (owned) {
                memory.close();
            }
        }
    }
}
