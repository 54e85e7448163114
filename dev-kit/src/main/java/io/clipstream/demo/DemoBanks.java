package io.clipstream.demo;

import io.clipstream.banks.BankKey;
import io.clipstream.banks.BankTopic;
import io.clipstream.image.ImagePreprocessor;
import io.clipstream.image.ImageRejectedException;
import io.clipstream.pdq.PdqHasher;
import io.clipstream.pdq.PdqSignature;
import io.clipstream.registry.SchemaRegistryClient;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import io.clipstream.schema.BankKind;
import io.clipstream.schema.BankSettings;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's known-content scenario: a positive bank ({@value #KNOWN}) of a few demo images, edited copies of them
 * streamed as new events (resized, recompressed, cropped a little, flipped), and a negative bank ({@value #APPROVED})
 * listing one of the banked images as a known false positive, so that its match is recorded but raises no flag.
 *
 * @param banked the inputs whose hashes go into the positive bank
 * @param falsePositive the banked input the negative bank overrides
 * @param edited the edited copies to stream, each named after its original and edit
 */
record DemoBanks(List<DemoInputs.Input> banked, DemoInputs.Input falsePositive, List<DemoInputs.Input> edited) {

    static final String KNOWN = "demo-known";
    static final String APPROVED = "demo-approved";
    private static final int BANKED = 4;
    private static final int EDITED = 3;
    private static final int MIN_SIDE = 200;

    static {
        // the records below are built with Avro builders, whose defaults include this package's enums
        io.clipstream.schema.GeneratedClasses.trust();
    }

    /**
     * Picks the first {@value #BANKED} inputs whose PDQ quality clears the bank's least quality with room to spare
     * and whose smaller side is at least {@value #MIN_SIDE} pixels (PDQ's 64×64 downsample of a smaller image moves
     * more under a crop or a resize), and makes the edits of the first {@value #EDITED} of them.
     */
    static DemoBanks choose(List<DemoInputs.Input> inputs, ImagePreprocessor decoder) {
        List<DemoInputs.Input> banked = new ArrayList<>();
        for (DemoInputs.Input input : inputs) {
            PdqSignature s = pdq(input.image(), decoder);
            if (s != null && s.quality() >= 90 && smallerSide(input.image(), decoder) >= MIN_SIDE) {
                banked.add(input);
                if (banked.size() == BANKED) {
                    break;
                }
            }
        }
        if (banked.size() < BANKED) {
            throw new IllegalArgumentException("the demo needs " + BANKED + " images of PDQ quality 90 or more and "
                    + MIN_SIDE + " px a side for its banks, found " + banked.size());
        }
        List<DemoInputs.Input> edited = new ArrayList<>();
        for (DemoInputs.Input original : banked.subList(0, EDITED)) {
            for (ImageEdits edit : ImageEdits.values()) {
                edited.add(new DemoInputs.Input(
                        "edited/" + original.eventId() + "-" + edit.name().toLowerCase(Locale.ROOT),
                        edit.apply(original.image()),
                        null));
            }
        }
        return new DemoBanks(List.copyOf(banked), banked.get(BANKED - 1), List.copyOf(edited));
    }

    private static int smallerSide(byte[] image, ImagePreprocessor decoder) {
        try {
            io.clipstream.pdq.LumaSource luma = decoder.decodeLuma(image);
            return Math.min(luma.width(), luma.height());
        } catch (ImageRejectedException e) {
            return 0;
        }
    }

    static PdqSignature pdq(byte[] image, ImagePreprocessor decoder) {
        try {
            return PdqHasher.hash(decoder.decodeLuma(image));
        } catch (ImageRejectedException e) {
            return null;
        }
    }

    /** Publishes both banks' settings and items. */
    void publish(
            Map<String, Object> clientConfig, SchemaRegistryClient registry, String topic, ImagePreprocessor decoder) {
        List<Map.Entry<BankKey, BankEntry>> records = new ArrayList<>();
        add(
                records,
                new BankEntry(
                        KNOWN,
                        BankSettings.newBuilder()
                                .setKind(BankKind.POSITIVE)
                                .setAction(PolicyAction.REVIEW)
                                .setSeverity(Severity.HIGH)
                                .setDescription("demo images known from an earlier takedown")
                                .build()));
        add(
                records,
                new BankEntry(
                        APPROVED,
                        BankSettings.newBuilder()
                                .setKind(BankKind.NEGATIVE)
                                .setSuppressesBanks(List.of(KNOWN))
                                .setDescription("reviewed and approved: known false positives")
                                .build()));
        Instant now = Instant.now();
        for (DemoInputs.Input input : banked) {
            add(records, item(KNOWN, input, decoder, "known from an earlier takedown", now));
        }
        add(records, item(APPROVED, falsePositive, decoder, "reviewed: not the banked content", now));
        try (BankTopic banks = new BankTopic(clientConfig, registry, topic)) {
            banks.publish(records);
        }
    }

    private static BankEntry item(
            String bank, DemoInputs.Input input, ImagePreprocessor decoder, String reason, Instant now) {
        PdqSignature s = pdq(input.image(), decoder);
        return new BankEntry(
                bank,
                BankItem.newBuilder()
                        .setId(input.eventId())
                        .setPdq(s.hash().toHex())
                        .setQuality(s.quality())
                        .setSource("clipstream demo")
                        .setReason(reason)
                        .setAddedBy("demo")
                        .setAddedAt(now)
                        .build());
    }

    private static void add(List<Map.Entry<BankKey, BankEntry>> records, BankEntry entry) {
        records.add(Map.entry(BankTopic.keyOf(entry), entry));
    }
}
