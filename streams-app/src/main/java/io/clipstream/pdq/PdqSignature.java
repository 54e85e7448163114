package io.clipstream.pdq;

/**
 * A PDQ hash with its quality: 0..100, how much gradient (detail) the 64×64 downsample has. Hashes of flat or
 * nearly blank images (low quality) match many unrelated images, so matching ignores them below a bank's least
 * quality.
 *
 * @param hash the 256-bit hash
 * @param quality 0..100
 */
public record PdqSignature(PdqHash hash, int quality) {
    /** Validates the quality range. */
    public PdqSignature {
        java.util.Objects.requireNonNull(hash, "hash");
        if (quality < 0 || quality > 100) {
            throw new IllegalArgumentException("PDQ quality is 0..100, got " + quality);
        }
    }
}
