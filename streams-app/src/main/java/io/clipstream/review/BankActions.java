package io.clipstream.review;

import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.image.PreprocessSpec;
import io.clipstream.pdq.PdqHasher;
import io.clipstream.pdq.PdqSignature;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import io.clipstream.schema.ReviewItem;
import java.time.Instant;

/**
 * "Add to bank" and "not this again": a reviewed image's PDQ hash (from its thumbnail; PDQ works on a 64 x 64
 * downsample, so a 256 px thumbnail hashes as its original does within a few bits) becomes an item of the positive
 * or the negative bank.
 */
public final class BankActions {

    /** Publishes one bank item. */
    @FunctionalInterface
    public interface BankSink {
        /** Publishes {@code entry} (an item of {@code entry.getBank()}). */
        void publish(BankEntry entry);
    }

    private static final ImagePreprocessor DECODER = new ImagePreprocessor(PreprocessSpec.clip(224));

    private final BankSink sink;
    private final String positive;
    private final String negative;

    public BankActions(BankSink sink, String positive, String negative) {
        this.sink = sink;
        this.positive = positive;
        this.negative = negative;
    }

    /** Adds a confirmed image to the positive bank; returns the bank's name. */
    public String addToBank(ReviewItem item, String admin, Instant now) throws ImageRejectedException {
        return add(positive, item, admin, "confirmed in review", now);
    }

    /** Adds an overturned image to the negative bank; returns the bank's name. */
    public String notThisAgain(ReviewItem item, String admin, Instant now) throws ImageRejectedException {
        return add(negative, item, admin, "overturned in review", now);
    }

    private String add(String bank, ReviewItem item, String admin, String reason, Instant now)
            throws ImageRejectedException {
        byte[] jpeg = new byte[item.getThumbnail().remaining()];
        item.getThumbnail().duplicate().get(jpeg);
        PdqSignature pdq = PdqHasher.hash(DECODER.decodeLuma(jpeg));
        sink.publish(new BankEntry(
                bank,
                BankItem.newBuilder()
                        .setId(item.getEventId())
                        .setPdq(pdq.hash().toHex())
                        .setQuality(pdq.quality())
                        .setSource(item.getSource())
                        .setReason(reason)
                        .setAddedBy(admin)
                        .setAddedAt(now)
                        .build()));
        return bank;
    }
}
