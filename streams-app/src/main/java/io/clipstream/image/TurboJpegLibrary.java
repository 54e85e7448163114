package io.clipstream.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.File;

/**
 * JNA direct mapping of the part of libjpeg-turbo's TurboJPEG 2.x C API ({@code turbojpeg.h}) the decoder uses,
 * bound to the system library ({@code libturbojpeg.so.0}, Debian/Ubuntu package {@code libturbojpeg0}).
 * Loading never throws: when the library is absent, {@link #LOADED} is false and {@link #FAILURE} says why.
 */
final class TurboJpegLibrary {
    /** {@code TJPF_RGB}: 3 bytes per pixel, R G B. */
    static final int TJPF_RGB = 0;
    /** {@code TJPF_GRAY}: 1 byte per pixel. */
    static final int TJPF_GRAY = 6;
    /** {@code TJCS_RGB}: a 3-component JPEG stored as RGB (Adobe transform 0). */
    static final int TJCS_RGB = 0;
    /** {@code TJCS_YCbCr}: the usual 3-component JPEG. */
    static final int TJCS_YCBCR = 1;
    /** {@code TJCS_GRAY}: a 1-component JPEG. */
    static final int TJCS_GRAY = 2;
    /** {@code TJERR_WARNING}: the image was decoded but libjpeg warned (corrupt data, premature end, ...). */
    static final int TJERR_WARNING = 0;

    /** Whether the library was found and bound. */
    static final boolean LOADED;
    /** The file that was bound, or null. */
    static final String FILE;
    /** Why the library could not be bound, or null. */
    static final String FAILURE;

    static {
        boolean loaded = false;
        String file = null;
        String failure = null;
        for (String name : new String[] {"turbojpeg", "libturbojpeg.so.0"}) {
            try {
                NativeLibrary library = NativeLibrary.getInstance(name);
                Native.register(TurboJpegLibrary.class, library);
                File f = library.getFile();
                file = f != null ? f.getPath() : name;
                loaded = true;
                failure = null;
                break;
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                failure = String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
            }
        }
        LOADED = loaded;
        FILE = file;
        FAILURE = failure;
    }

    private TurboJpegLibrary() {}

    static native Pointer tjInitDecompress();

    static native int tjDecompressHeader3(
            Pointer handle,
            Pointer jpegBuf,
            NativeLong jpegSize,
            int[] width,
            int[] height,
            int[] jpegSubsamp,
            int[] jpegColorspace);

    static native int tjDecompress2(
            Pointer handle,
            Pointer jpegBuf,
            NativeLong jpegSize,
            Pointer dstBuf,
            int width,
            int pitch,
            int height,
            int pixelFormat,
            int flags);

    static native int tjGetErrorCode(Pointer handle);

    static native String tjGetErrorStr2(Pointer handle);

    static native int tjDestroy(Pointer handle);
}
