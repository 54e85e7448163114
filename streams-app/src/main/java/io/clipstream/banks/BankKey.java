package io.clipstream.banks;

import java.util.regex.Pattern;

/**
 * Keys of the compacted banks topic: {@code NAME} for a bank's settings, {@code NAME/ITEM} for one item, so that
 * adding or removing one hash touches one record and compaction keeps the latest of each.
 */
public sealed interface BankKey permits BankKey.Settings, BankKey.Item {

    /** Bank names: letters, digits, '.', '_' and '-', 1 to 100 characters. */
    Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    /** The bank the key belongs to. */
    String bank();

    /** The topic key. */
    String key();

    /** The key of a bank's settings record. */
    record Settings(String bank) implements BankKey {
        /** Validates the name. */
        public Settings {
            requireName(bank);
        }

        @Override
        public String key() {
            return bank;
        }
    }

    /** The key of one item. */
    record Item(String bank, String itemId) implements BankKey {
        /** Validates the name and id. */
        public Item {
            requireName(bank);
            if (itemId == null || itemId.isEmpty() || itemId.length() > 500) {
                throw new IllegalArgumentException("a bank item id is 1 to 500 characters, got '" + itemId + "'");
            }
        }

        @Override
        public String key() {
            return bank + "/" + itemId;
        }
    }

    /**
     * Parses a topic key.
     *
     * @throws IllegalArgumentException naming the key when it is neither form
     */
    static BankKey parse(String key) {
        if (key == null) {
            throw new IllegalArgumentException("a banks record needs a key (NAME or NAME/ITEM)");
        }
        int slash = key.indexOf('/');
        return slash < 0 ? new Settings(key) : new Item(key.substring(0, slash), key.substring(slash + 1));
    }

    /**
     * Checks a bank name.
     *
     * @throws IllegalArgumentException naming what was found
     */
    static String requireName(String bank) {
        if (bank == null || !NAME.matcher(bank).matches()) {
            throw new IllegalArgumentException(
                    "a bank name is 1 to 100 letters, digits, '.', '_' or '-', got '" + bank + "'");
        }
        return bank;
    }
}
