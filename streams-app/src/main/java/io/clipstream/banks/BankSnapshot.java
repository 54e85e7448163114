package io.clipstream.banks;

import java.util.List;

/**
 * Every bank as of one moment, sorted by name.
 *
 * @param banks the banks
 */
public record BankSnapshot(List<BankView> banks) {

    /** No banks. */
    public static final BankSnapshot EMPTY = new BankSnapshot(List.of());

    /** Whether there are no banks. */
    public boolean isEmpty() {
        return banks.isEmpty();
    }
}
