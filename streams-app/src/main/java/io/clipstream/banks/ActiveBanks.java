package io.clipstream.banks;

import io.clipstream.pdq.PdqHash;
import io.clipstream.schema.BankEntry;
import io.clipstream.schema.BankItem;
import io.clipstream.schema.BankSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every bank a processor matches against, kept in step with the compacted banks topic one record at a time.
 * Records that are inconsistent (key and value disagree, a malformed hash, settings out of range) are refused with
 * a logged error and change nothing. Item embeddings are used only when computed with this processor's image model
 * (fingerprint and width); other items still match by PDQ. Thread-safe.
 */
public final class ActiveBanks {

    private static final Logger LOG = LoggerFactory.getLogger(ActiveBanks.class);

    private final String imageFingerprint;
    private final int dimension;
    private final Map<String, Bank> banks = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong version = new java.util.concurrent.atomic.AtomicLong();
    private volatile Cached cached;

    private record Cached(long version, BankSnapshot snapshot) {}

    /** The outcome of applying one record. */
    public sealed interface Update permits Applied, Refused {}

    /** The record took effect. */
    public record Applied(BankKey key, boolean removed) implements Update {}

    /** The record was refused; {@code reason} says why. */
    public record Refused(String key, String reason) implements Update {}

    /**
     * @param imageFingerprint the {@link io.clipstream.labels.ModelFingerprint#ofImageTower image-model fingerprint}
     *     of the processor's model; null: item embeddings are never used
     * @param dimension the model's embedding width
     */
    public ActiveBanks(String imageFingerprint, int dimension) {
        this.imageFingerprint = imageFingerprint;
        this.dimension = dimension;
    }

    /** Banks that match by PDQ only. */
    public static ActiveBanks pdqOnly() {
        return new ActiveBanks(null, 0);
    }

    /** Applies one record of the banks topic; {@code entry} null is a tombstone. */
    public Update apply(String key, BankEntry entry) {
        BankKey parsed;
        try {
            parsed = BankKey.parse(key);
            if (entry != null) {
                check(parsed, entry);
            }
        } catch (IllegalArgumentException e) {
            LOG.error("Refused banks record {}: {}", key, e.getMessage());
            return new Refused(key, e.getMessage());
        }
        Bank bank = banks.computeIfAbsent(
                parsed.bank(), name -> new Bank(name, imageFingerprint, dimension, version::incrementAndGet));
        if (parsed instanceof BankKey.Settings) {
            BankSettings settings = entry == null ? null : (BankSettings) entry.getBody();
            bank.settings(settings);
            LOG.info("Bank {} {}", parsed.bank(), settings == null ? "settings removed" : "settings: " + settings);
        } else if (entry == null) {
            bank.remove(((BankKey.Item) parsed).itemId());
        } else {
            bank.put((BankItem) entry.getBody());
        }
        if (bank.isEmpty()) {
            banks.remove(parsed.bank(), bank);
        }
        version.incrementAndGet();
        return new Applied(parsed, entry == null);
    }

    private static void check(BankKey key, BankEntry entry) {
        if (!key.bank().equals(entry.getBank())) {
            throw new IllegalArgumentException(
                    "the key names bank " + key.bank() + " but the record bank " + entry.getBank());
        }
        if (key instanceof BankKey.Settings) {
            if (!(entry.getBody() instanceof BankSettings s)) {
                throw new IllegalArgumentException("a key without '/' carries the bank's settings, got an item");
            }
            if (s.getPdqMaxDistance() < 0 || s.getPdqMaxDistance() > PdqHash.BITS) {
                throw new IllegalArgumentException("pdqMaxDistance is 0..256, got " + s.getPdqMaxDistance());
            }
            if (s.getPdqMinQuality() < 0 || s.getPdqMinQuality() > 100) {
                throw new IllegalArgumentException("pdqMinQuality is 0..100, got " + s.getPdqMinQuality());
            }
            if (s.getClipMinSimilarity() != null
                    && !(s.getClipMinSimilarity() >= -1f && s.getClipMinSimilarity() <= 1f)) {
                throw new IllegalArgumentException("clipMinSimilarity is -1..1, got " + s.getClipMinSimilarity());
            }
            return;
        }
        if (!(entry.getBody() instanceof BankItem item)) {
            throw new IllegalArgumentException("a key NAME/ITEM carries an item, got settings");
        }
        String id = ((BankKey.Item) key).itemId();
        if (!id.equals(item.getId())) {
            throw new IllegalArgumentException("the key names item " + id + " but the record item " + item.getId());
        }
        if (item.getPdq() == null && item.getEmbedding() == null) {
            throw new IllegalArgumentException("item " + id + " has neither a PDQ hash nor an embedding");
        }
        if (item.getPdq() != null) {
            PdqHash.parse(item.getPdq());
        }
        if (item.getQuality() < 0 || item.getQuality() > 100) {
            throw new IllegalArgumentException("item " + id + " quality is 0..100, got " + item.getQuality());
        }
    }

    /** Whether no bank is held (images then need no hash). */
    public boolean isEmpty() {
        return banks.isEmpty();
    }

    /** The number of items of {@code bank} (0 when unknown). */
    public int size(String bank) {
        Bank b = banks.get(bank);
        return b == null ? 0 : b.size();
    }

    /** One consistent view of every bank, sorted by name; a batch is matched against one snapshot. */
    public BankSnapshot snapshot() {
        long now = version.get();
        Cached current = cached;
        if (current == null || current.version() != now) {
            List<BankView> views = new ArrayList<>(banks.size());
            for (Bank bank : banks.values()) {
                views.add(bank.view());
            }
            views.sort(Comparator.comparing(BankView::name));
            current = new Cached(now, new BankSnapshot(List.copyOf(views)));
            cached = current;
        }
        return current.snapshot();
    }
}
