package io.clipstream.banks;

import io.clipstream.schema.BankMatch;
import io.clipstream.schema.BankSignal;
import io.clipstream.schema.PolicyFlag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link BankVerdict} into the records the processor emits: one {@link BankMatch} per matched bank and a
 * {@link PolicyFlag} for each match that {@link BankVerdict.Match#flags flags}, the match as its evidence. Shared by
 * the streaming topology and {@code clipstream banks match}, so both say exactly the same.
 */
public final class BankRecords {

    /** The policy id of flags raised by bank {@code NAME}: {@code bank:NAME}. */
    public static final String POLICY_PREFIX = "bank:";

    private BankRecords() {}

    /** The match records, in bank-name order. */
    public static List<BankMatch> matches(String eventId, BankVerdict verdict, Instant decidedAt) {
        List<BankMatch> out = new ArrayList<>(verdict.matches().size());
        for (BankVerdict.Match m : verdict.matches()) {
            out.add(record(eventId, m, decidedAt));
        }
        return out;
    }

    /** The flags, one per flagging match, in bank-name order. */
    public static List<PolicyFlag> flags(String eventId, String modelId, BankVerdict verdict, Instant decidedAt) {
        List<PolicyFlag> out = new ArrayList<>();
        for (BankVerdict.Match m : verdict.matches()) {
            if (m.flags()) {
                out.add(PolicyFlag.newBuilder()
                        .setEventId(eventId)
                        .setPolicyId(POLICY_PREFIX + m.bank().name())
                        .setAction(m.bank().settings().getAction())
                        .setSeverity(m.bank().settings().getSeverity())
                        .setMatched(List.of())
                        .setModelId(modelId)
                        .setLabelSetName("")
                        .setLabelSetVersion("")
                        .setDecidedAt(decidedAt)
                        .setBankMatch(record(eventId, m, decidedAt))
                        .build());
            }
        }
        return out;
    }

    private static BankMatch record(String eventId, BankVerdict.Match m, Instant decidedAt) {
        BankView.Candidate c = m.candidate();
        BankSignal signal =
                c.byPdq() && c.byClip() ? BankSignal.PDQ_AND_CLIP : c.byPdq() ? BankSignal.PDQ : BankSignal.CLIP;
        return BankMatch.newBuilder()
                .setEventId(eventId)
                .setBank(m.bank().name())
                .setBankKind(m.bank().kind())
                .setItemId(c.item().getId())
                .setSignal(signal)
                .setPdqDistance(c.pdqDistance())
                .setPdqVariant(c.pdqVariant())
                .setQuality(c.quality())
                .setClipSimilarity(c.clipSimilarity())
                .setSuppressedBy(m.suppressedBy())
                .setDecidedAt(decidedAt)
                .build();
    }
}
