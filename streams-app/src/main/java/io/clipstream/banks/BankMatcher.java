package io.clipstream.banks;

import io.clipstream.pdq.PdqDihedral;
import io.clipstream.schema.BankKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Matches one image against a {@link BankSnapshot}: the best item of each enabled bank, then each negative match
 * overrides the positive banks and label-set policies its bank names. Stateless.
 */
public final class BankMatcher {

    private BankMatcher() {}

    /**
     * @param banks the banks, as of one moment
     * @param pdq the image's dihedral hashes; null when it was not hashed
     * @param embedding the image's L2-normalised embedding; null when there is none
     */
    public static BankVerdict match(BankSnapshot banks, PdqDihedral pdq, float[] embedding) {
        if (banks.isEmpty()) {
            return BankVerdict.NONE;
        }
        List<BankView> matchedBanks = new ArrayList<>();
        List<BankView.Candidate> candidates = new ArrayList<>();
        for (BankView bank : banks.banks()) {
            if (!bank.settings().getEnabled()) {
                continue;
            }
            Optional<BankView.Candidate> best = bank.bestMatch(pdq, embedding);
            if (best.isPresent()) {
                matchedBanks.add(bank);
                candidates.add(best.get());
            }
        }
        if (matchedBanks.isEmpty()) {
            return BankVerdict.NONE;
        }
        Set<String> suppressedPolicies = new HashSet<>();
        for (BankView bank : matchedBanks) {
            if (bank.kind() == BankKind.NEGATIVE) {
                suppressedPolicies.addAll(bank.settings().getSuppressesPolicies());
            }
        }
        List<BankVerdict.Match> matches = new ArrayList<>(matchedBanks.size());
        for (int i = 0; i < matchedBanks.size(); i++) {
            BankView bank = matchedBanks.get(i);
            List<String> by = new ArrayList<>();
            if (bank.kind() == BankKind.POSITIVE) {
                for (int j = 0; j < matchedBanks.size(); j++) {
                    BankView other = matchedBanks.get(j);
                    if (other.kind() == BankKind.NEGATIVE
                            && other.settings().getSuppressesBanks().contains(bank.name())) {
                        by.add(other.name() + "/" + candidates.get(j).item().getId());
                    }
                }
            }
            matches.add(new BankVerdict.Match(bank, candidates.get(i), List.copyOf(by)));
        }
        return new BankVerdict(List.copyOf(matches), Set.copyOf(suppressedPolicies));
    }
}
