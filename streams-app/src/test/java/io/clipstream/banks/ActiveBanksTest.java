package io.clipstream.banks;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.pdq.PdqDihedral;
import io.clipstream.pdq.PdqHash;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.Severity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Bank updates item by item, across a background rebuild of the index: the answers never change with it. */
class ActiveBanksTest {

    private static PdqHash random(Random r) {
        return PdqHash.of(r.nextLong(), r.nextLong(), r.nextLong(), r.nextLong());
    }

    private static PdqDihedral image(PdqHash hash) {
        List<PdqHash> variants = new ArrayList<>(Collections.nCopies(8, PdqHash.of(0, 0, 0, 0)));
        variants.set(0, hash);
        return new PdqDihedral(variants, 100);
    }

    private static Optional<String> matched(ActiveBanks banks, PdqHash hash) {
        return BankMatcher.match(banks.snapshot(), image(hash), null).matches().stream()
                .map(m -> m.candidate().item().getId())
                .findFirst();
    }

    @Test
    void matchesAreTheSameBeforeDuringAndAfterTheIndexIsRebuilt() throws InterruptedException {
        ActiveBanks banks = ActiveBanks.pdqOnly();
        Random r = new Random(3);
        banks.apply("known", BankFixtures.positive("known", PolicyAction.REVIEW, Severity.LOW));
        PdqHash[] hashes = new PdqHash[Bank.REBUILD_AFTER + 500];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = random(r);
            banks.apply("known/i" + i, BankFixtures.item("known", "i" + i, hashes[i].toHex(), 100));
        }
        // the first snapshot starts the rebuild and answers from the overlay meanwhile
        assertThat(matched(banks, hashes[7])).contains("i7");
        banks.apply("known/i7", null);
        banks.apply("known/replaced", BankFixtures.item("known", "replaced", hashes[8].toHex(), 100));
        banks.apply("known/i8", null);
        long deadline = System.currentTimeMillis() + 30_000;
        while (banks.snapshot().banks().get(0).base().size() == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        BankView view = banks.snapshot().banks().get(0);
        assertThat(view.base().size()).as("rebuilt in the background").isEqualTo(hashes.length);
        assertThat(view.size()).isEqualTo(hashes.length - 1);
        assertThat(matched(banks, hashes[7]))
                .as("removed while the index was built")
                .isEmpty();
        assertThat(matched(banks, hashes[8])).as("replaced under another id").contains("replaced");
        assertThat(matched(banks, hashes[9])).contains("i9");
        assertThat(matched(banks, random(r))).isEmpty();
        assertThat(banks.size("known")).isEqualTo(hashes.length - 1);
    }

    @Test
    void aTombstoneOfTheSettingsLeavesTheItemsUnderDefaultSettings() {
        ActiveBanks banks = ActiveBanks.pdqOnly();
        PdqHash h = random(new Random(1));
        banks.apply("known", BankFixtures.positive("known", PolicyAction.BLOCK, Severity.HIGH));
        banks.apply("known/a", BankFixtures.item("known", "a", h.toHex(), 100));
        assertThat(BankMatcher.match(banks.snapshot(), image(h), null)
                        .matches()
                        .get(0)
                        .flags())
                .isTrue();
        banks.apply("known", null);
        BankVerdict after = BankMatcher.match(banks.snapshot(), image(h), null);
        assertThat(after.matches()).hasSize(1);
        assertThat(after.matches().get(0).flags())
                .as("no action without settings")
                .isFalse();
        banks.apply("known/a", null);
        assertThat(banks.isEmpty()).isTrue();
    }

    @Test
    void inconsistentRecordsAreRefused() {
        ActiveBanks banks = ActiveBanks.pdqOnly();
        BankEntry item = BankFixtures.item("known", "a", random(new Random(2)).toHex(), 100);
        assertThat(banks.apply("known/b", item)).isInstanceOf(ActiveBanks.Refused.class);
        assertThat(banks.apply("other/a", item)).isInstanceOf(ActiveBanks.Refused.class);
        assertThat(banks.apply("known", item)).isInstanceOf(ActiveBanks.Refused.class);
        assertThat(banks.apply("bad name/a", item)).isInstanceOf(ActiveBanks.Refused.class);
        assertThat(banks.apply("known/a", BankFixtures.item("known", "a", "00", 100)))
                .isInstanceOf(ActiveBanks.Refused.class);
        assertThat(banks.isEmpty()).isTrue();
        assertThat(banks.apply("known/a", item)).isInstanceOf(ActiveBanks.Applied.class);
    }
}
