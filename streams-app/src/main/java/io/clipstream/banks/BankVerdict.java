package io.clipstream.banks;

import io.clipstream.schema.BankKind;
import java.util.List;
import java.util.Set;

/**
 * What the banks say about one image: the best item of every bank it matched, negative banks' overrides applied.
 *
 * @param matches one per matched bank, in bank-name order
 * @param suppressedPolicies label-set policies a negative match overrides, as {@code labelSetName/policyId} or
 *     {@code policyId}
 */
public record BankVerdict(List<Match> matches, Set<String> suppressedPolicies) {

    /** Nothing matched. */
    public static final BankVerdict NONE = new BankVerdict(List.of(), Set.of());

    /**
     * One bank's match.
     *
     * @param bank the bank
     * @param candidate its best item
     * @param suppressedBy negative matches (bank/itemId) that override it; empty when it stands
     */
    public record Match(BankView bank, BankView.Candidate candidate, List<String> suppressedBy) {
        /** Whether this match raises a flag: a positive bank with an action, not overridden. */
        public boolean flags() {
            return bank.kind() == BankKind.POSITIVE && bank.settings().getAction() != null && suppressedBy.isEmpty();
        }
    }

    /** Whether a negative match overrides policy {@code policyId} of label set {@code labelSetName}. */
    public boolean suppresses(String labelSetName, String policyId) {
        return !suppressedPolicies.isEmpty()
                && (suppressedPolicies.contains(policyId)
                        || suppressedPolicies.contains(labelSetName + "/" + policyId));
    }
}
