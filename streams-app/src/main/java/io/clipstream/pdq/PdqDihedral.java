package io.clipstream.pdq;

import java.util.List;

/**
 * The PDQ hashes of an image's eight dihedral variants, from one downsample: matching any of them finds a known
 * image that was rotated or mirrored.
 *
 * @param hashes in Meta's order: original, rotate 90 (counter-clockwise), rotate 180, rotate 270 (clockwise by 90),
 *     flip X (upside down), flip Y (mirrored left to right), flip about the main diagonal (transpose), flip about
 *     the other diagonal
 * @param quality the quality, the same for all eight
 */
public record PdqDihedral(List<PdqHash> hashes, int quality) {
    /** The names of the variants, in order. */
    public static final List<String> VARIANTS =
            List.of("original", "rotate90", "rotate180", "rotate270", "flipX", "flipY", "flipPlus1", "flipMinus1");

    /** Checks that all eight are there. */
    public PdqDihedral {
        hashes = List.copyOf(hashes);
        if (hashes.size() != 8) {
            throw new IllegalArgumentException("eight dihedral hashes expected, got " + hashes.size());
        }
    }

    /** The original's hash and quality. */
    public PdqSignature original() {
        return new PdqSignature(hashes.get(0), quality);
    }
}
