package io.clipstream.banks;

import io.clipstream.schema.BankItem;
import io.clipstream.schema.BankSettings;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One bank as the processor holds it, updated item by item from the banks topic. Searching uses an immutable
 * {@link BankView}: the index built at the last rebuild plus a small overlay of what changed since (items added or
 * replaced are scanned, ids removed or replaced are skipped), so one added hash costs nothing like re-indexing a
 * million. The index is rebuilt when the overlay exceeds {@value #REBUILD_AFTER} changes. Thread-safe: updates
 * arrive on the global-store thread, views are taken on stream threads.
 */
final class Bank {

    /** The settings of a bank that has items but no published settings: the schema's defaults. */
    static final BankSettings DEFAULT_SETTINGS;

    static {
        io.clipstream.schema.GeneratedClasses.trust();
        DEFAULT_SETTINGS = BankSettings.newBuilder().build();
    }

    /** Changes held in the overlay before the index is rebuilt. */
    static final int REBUILD_AFTER = 4096;

    private final String name;
    private final String fingerprint;
    private final int dimension;
    private BankSettings settings;
    private final Map<String, BankItem> items = new HashMap<>();
    private BankIndex base = BankIndex.EMPTY;
    private final Map<String, BankItem> added = new HashMap<>();
    private final Set<String> hidden = new HashSet<>();
    private BankView view;

    Bank(String name, String fingerprint, int dimension) {
        this.name = name;
        this.fingerprint = fingerprint;
        this.dimension = dimension;
    }

    synchronized void settings(BankSettings settings) {
        this.settings = settings;
        view = null;
    }

    synchronized BankSettings settings() {
        return settings;
    }

    synchronized void put(BankItem item) {
        items.put(item.getId(), item);
        if (base.contains(item.getId())) {
            hidden.add(item.getId());
        }
        added.put(item.getId(), item);
        view = null;
    }

    synchronized void remove(String itemId) {
        items.remove(itemId);
        added.remove(itemId);
        if (base.contains(itemId)) {
            hidden.add(itemId);
        }
        view = null;
    }

    synchronized int size() {
        return items.size();
    }

    synchronized boolean isEmpty() {
        return items.isEmpty() && settings == null;
    }

    /** The current view; rebuilt only after a change. */
    synchronized BankView view() {
        if (view == null) {
            if (added.size() + hidden.size() > REBUILD_AFTER) {
                base = BankIndex.of(items.values(), fingerprint, dimension);
                added.clear();
                hidden.clear();
            }
            view = new BankView(name, settings == null ? DEFAULT_SETTINGS : settings,
                    settings != null, base, BankIndex.of(added.values(), fingerprint, dimension), Set.copyOf(hidden),
                    items.size());
        }
        return view;
    }
}
