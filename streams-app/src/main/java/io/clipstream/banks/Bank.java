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
 * million. When the overlay exceeds {@value #REBUILD_AFTER} changes the index is rebuilt in the background (a
 * large CLIP graph takes minutes, far too long to hold a stream thread); until it is installed, matching uses the
 * old index and the growing overlay, with the same results. Thread-safe: updates arrive on the global-store thread,
 * views are taken on stream threads.
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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Bank.class);
    /** Builds indexes off the stream threads, one at a time; daemon, it holds nothing to release. */
    private static final java.util.concurrent.ExecutorService INDEXER =
            java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "clipstream-bank-indexer");
                t.setDaemon(true);
                return t;
            });

    private final String name;
    private final String fingerprint;
    private final int dimension;
    private final Runnable onRebuilt;
    /** Ids changed since the items were copied for the rebuild in flight; null when none runs. */
    private Set<String> changedDuringRebuild;

    private BankSettings settings;
    private final Map<String, BankItem> items = new HashMap<>();
    private BankIndex base = BankIndex.EMPTY;
    private final Map<String, BankItem> added = new HashMap<>();
    private final Set<String> hidden = new HashSet<>();
    private BankView view;

    /** @param onRebuilt called once a rebuilt index is installed, so that cached views are taken again */
    Bank(String name, String fingerprint, int dimension, Runnable onRebuilt) {
        this.name = name;
        this.fingerprint = fingerprint;
        this.dimension = dimension;
        this.onRebuilt = onRebuilt;
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
        if (changedDuringRebuild != null) {
            changedDuringRebuild.add(item.getId());
        }
        view = null;
    }

    synchronized void remove(String itemId) {
        items.remove(itemId);
        added.remove(itemId);
        if (base.contains(itemId)) {
            hidden.add(itemId);
        }
        if (changedDuringRebuild != null) {
            changedDuringRebuild.add(itemId);
        }
        view = null;
    }

    synchronized int size() {
        return items.size();
    }

    synchronized boolean isEmpty() {
        return items.isEmpty() && settings == null;
    }

    /** The current view; taken again only after a change. */
    synchronized BankView view() {
        if (view == null) {
            if (changedDuringRebuild == null && added.size() + hidden.size() > REBUILD_AFTER) {
                startRebuild();
            }
            view = new BankView(
                    name,
                    settings == null ? DEFAULT_SETTINGS : settings,
                    settings != null,
                    base,
                    BankIndex.scanned(added.values(), fingerprint, dimension),
                    Set.copyOf(hidden),
                    items.size());
        }
        return view;
    }

    private void startRebuild() {
        java.util.List<BankItem> copy = new java.util.ArrayList<>(items.values());
        changedDuringRebuild = new HashSet<>();
        INDEXER.execute(() -> {
            long start = System.nanoTime();
            BankIndex built;
            try {
                built = BankIndex.of(copy, fingerprint, dimension);
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.error(
                        "Indexing bank {} ({} items) failed; matching goes on without the new index",
                        name,
                        copy.size(),
                        e);
                synchronized (this) {
                    changedDuringRebuild = null;
                }
                return;
            }
            install(built);
            LOG.info("Bank {}: {} items indexed in {} ms", name, copy.size(), (System.nanoTime() - start) / 1_000_000);
            onRebuilt.run();
        });
    }

    /** The new index replaces the old; what changed while it was built stays in the overlay. */
    private synchronized void install(BankIndex built) {
        base = built;
        added.clear();
        hidden.clear();
        for (String id : changedDuringRebuild) {
            BankItem item = items.get(id);
            if (item != null) {
                added.put(id, item);
            }
            if (built.contains(id)) {
                hidden.add(id);
            }
        }
        changedDuringRebuild = null;
        view = null;
    }
}
