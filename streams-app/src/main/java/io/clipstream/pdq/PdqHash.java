package io.clipstream.pdq;

import java.util.Locale;

/**
 * A 256-bit PDQ hash. Bit {@code k} (0..255) is the {@code k}-th DCT coefficient in row-major 16×16 order; the hex
 * form is the one Meta's tools print: 16 words of 16 bits, word 15 first, so bit 255 is the first hex digit's top
 * bit. Held as four longs, {@code longs[0]} the first 16 hex digits (bits 255..192). Immutable.
 */
public final class PdqHash {

    /** Hash length in bits. */
    public static final int BITS = 256;

    private final long b0;
    private final long b1;
    private final long b2;
    private final long b3;

    private PdqHash(long b0, long b1, long b2, long b3) {
        this.b0 = b0;
        this.b1 = b1;
        this.b2 = b2;
        this.b3 = b3;
    }

    /** The hash of four longs in hex order (the first is bits 255..192). */
    public static PdqHash of(long b0, long b1, long b2, long b3) {
        return new PdqHash(b0, b1, b2, b3);
    }

    /** The hash with bit {@code k} set where {@code bits[k]} is true. */
    static PdqHash ofBits(boolean[] bits) {
        long[] l = new long[4];
        for (int k = 0; k < BITS; k++) {
            if (bits[k]) {
                l[3 - (k >>> 6)] |= 1L << (k & 63);
            }
        }
        return new PdqHash(l[0], l[1], l[2], l[3]);
    }

    /**
     * Parses 64 hex digits (either case, surrounding white space ignored).
     *
     * @throws IllegalArgumentException naming what was found when it is not 64 hex digits
     */
    public static PdqHash parse(String hex) {
        String s = hex == null ? "" : hex.strip();
        if (s.length() != 64) {
            throw new IllegalArgumentException(
                    "a PDQ hash is 64 hex digits, got " + s.length() + " characters: '" + abbreviated(s) + "'");
        }
        long[] l = new long[4];
        for (int i = 0; i < 4; i++) {
            String part = s.substring(i * 16, i * 16 + 16);
            try {
                l[i] = Long.parseUnsignedLong(part, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a PDQ hash is 64 hex digits, got '" + abbreviated(s) + "'", e);
            }
            if (part.charAt(0) == '+' || part.charAt(0) == '-') {
                throw new IllegalArgumentException("a PDQ hash is 64 hex digits, got '" + abbreviated(s) + "'");
            }
        }
        return new PdqHash(l[0], l[1], l[2], l[3]);
    }

    private static String abbreviated(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Whether bit {@code k} (0..255) is set. */
    public boolean bit(int k) {
        return (word64(3 - (k >>> 6)) >>> (k & 63) & 1L) != 0;
    }

    /** Long {@code i} (0..3) in hex order. */
    public long word64(int i) {
        return switch (i) {
            case 0 -> b0;
            case 1 -> b1;
            case 2 -> b2;
            case 3 -> b3;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /** 16-bit word {@code w} (0..15) as Meta numbers them: word {@code w} holds bits {@code 16w .. 16w+15}. */
    public int word16(int w) {
        return (int) (word64(3 - (w >>> 2)) >>> ((w & 3) << 4)) & 0xFFFF;
    }

    /** The number of differing bits. */
    public int distance(PdqHash other) {
        return Long.bitCount(b0 ^ other.b0)
                + Long.bitCount(b1 ^ other.b1)
                + Long.bitCount(b2 ^ other.b2)
                + Long.bitCount(b3 ^ other.b3);
    }

    /** The number of set bits. */
    public int bitCount() {
        return Long.bitCount(b0) + Long.bitCount(b1) + Long.bitCount(b2) + Long.bitCount(b3);
    }

    /** 64 lower-case hex digits. */
    public String toHex() {
        return String.format(Locale.ROOT, "%016x%016x%016x%016x", b0, b1, b2, b3);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PdqHash h && h.b0 == b0 && h.b1 == b1 && h.b2 == b2 && h.b3 == b3;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(b0 * 31 + b1) * 31 + Long.hashCode(b2 * 31 + b3);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
