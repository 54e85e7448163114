package io.clipstream.banks;

import io.clipstream.pdq.PdqDihedral;
import io.clipstream.pdq.PdqHash;
import io.clipstream.schema.BankItem;
import io.clipstream.schema.BankKind;
import io.clipstream.schema.BankSettings;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable view of one bank for matching: its settings and items as of one moment.
 *
 * @param name the bank
 * @param settings its settings (the defaults when none were published)
 * @param configured whether settings were published
 * @param base the index of the last rebuild
 * @param overlay items added or replaced since
 * @param hidden ids of {@code base} removed or replaced since
 * @param size the number of items
 */
public record BankView(
        String name,
        BankSettings settings,
        boolean configured,
        BankIndex base,
        BankIndex overlay,
        Set<String> hidden,
        int size) {

    /** The kind of bank. */
    public BankKind kind() {
        return settings.getKind();
    }

    /**
     * The best item of this bank for one image, if any matches: the nearest by PDQ over the image's eight dihedral
     * variants, or the original alone when {@code pdqDihedral} is off (image and item at least
     * {@code pdqMinQuality}, distance at most {@code pdqMaxDistance}), else the
     * most similar by CLIP when {@code clipMinSimilarity} is set. When the PDQ match's item also clears the CLIP
     * threshold the signal is both.
     *
     * @param pdq the image's hashes; null when the image was not hashed
     * @param embedding the image's L2-normalised embedding; null when there is none
     */
    public Optional<Candidate> bestMatch(PdqDihedral pdq, float[] embedding) {
        Best best = new Best();
        if (pdq != null && pdq.quality() >= settings.getPdqMinQuality()) {
            PdqHash[] variants = settings.getPdqDihedral()
                    ? pdq.hashes().toArray(PdqHash[]::new)
                    : new PdqHash[] {pdq.hashes().get(0)};
            BankIndex.PdqVariantHit hit = (item, variant, distance) -> {
                if (item.getQuality() >= settings.getPdqMinQuality()) {
                    best.offerPdq(item, distance, PdqDihedral.VARIANTS.get(variant));
                }
            };
            base.searchPdq(variants, settings.getPdqMaxDistance(), (item, variant, distance) -> {
                if (!hidden.contains(item.getId())) {
                    hit.found(item, variant, distance);
                }
            });
            overlay.searchPdq(variants, settings.getPdqMaxDistance(), hit);
        }
        Float minSimilarity = settings.getClipMinSimilarity();
        if (embedding != null && minSimilarity != null) {
            BankIndex.ClipHit hit = (item, similarity) -> best.offerClip(item, similarity);
            base.searchClip(embedding, minSimilarity, (item, similarity) -> {
                if (!hidden.contains(item.getId())) {
                    hit.found(item, similarity);
                }
            });
            overlay.searchClip(embedding, minSimilarity, hit);
        }
        if (best.pdqItem != null) {
            BankIndex holder = overlay.contains(best.pdqItem.getId()) ? overlay : base;
            best.pdqItemSimilarity = holder.similarity(best.pdqItem, embedding);
            best.pdqItemClears =
                    minSimilarity != null && best.pdqItemSimilarity != null && best.pdqItemSimilarity >= minSimilarity;
        }
        return Optional.ofNullable(best.result(pdq == null ? 0 : pdq.quality()));
    }

    /**
     * One bank's best item for an image.
     *
     * @param item the item
     * @param pdqDistance its PDQ distance (null when it did not match by PDQ)
     * @param pdqVariant the image's dihedral variant nearest to it
     * @param quality the image's PDQ quality
     * @param clipSimilarity the cosine of the embeddings (null when the item has none for this model)
     * @param byPdq whether it matched by PDQ
     * @param byClip whether it matched by CLIP
     */
    public record Candidate(
            BankItem item,
            Integer pdqDistance,
            String pdqVariant,
            int quality,
            Float clipSimilarity,
            boolean byPdq,
            boolean byClip) {}

    /** The running best of one search. */
    private static final class Best {
        private BankItem pdqItem;
        private int pdqDistance = Integer.MAX_VALUE;
        private String pdqVariant;
        private BankItem clipItem;
        private float clipSimilarity = Float.NEGATIVE_INFINITY;
        private Float pdqItemSimilarity;
        private boolean pdqItemClears;

        void offerPdq(BankItem item, int distance, String variant) {
            if (distance < pdqDistance
                    || distance == pdqDistance && item.getId().compareTo(pdqItem.getId()) < 0) {
                pdqItem = item;
                pdqDistance = distance;
                pdqVariant = variant;
            }
        }

        void offerClip(BankItem item, float similarity) {
            if (similarity > clipSimilarity
                    || similarity == clipSimilarity && item.getId().compareTo(clipItem.getId()) < 0) {
                clipItem = item;
                clipSimilarity = similarity;
            }
        }

        Candidate result(int quality) {
            if (pdqItem != null) {
                return new Candidate(pdqItem, pdqDistance, pdqVariant, quality, pdqItemSimilarity, true, pdqItemClears);
            }
            if (clipItem != null) {
                return new Candidate(clipItem, null, null, quality, clipSimilarity, false, true);
            }
            return null;
        }
    }
}
