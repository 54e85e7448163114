package io.clipstream.image;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The heap that images being decoded may hold at once, shared by the whole decode pool. Each decode first takes a
 * lease of its {@link DecodeFootprint} and waits, first come first served, until that much is free; so small images
 * decode many at a time while large ones take turns, and the sum stays under the budget. An image larger than the
 * whole budget is refused at once: it could never be decoded, even alone.
 */
public final class DecodeMemoryBudget {

    private final long capacity;
    private final String origin;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private long used;

    /**
     * @param capacity bytes
     * @param origin where the figure comes from, for messages (for example "decode.memory.fraction=0.5 of 320 MB")
     */
    public DecodeMemoryBudget(long capacity, String origin) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("decode-memory budget must be positive, got " + capacity);
        }
        this.capacity = capacity;
        this.origin = origin;
    }

    /** {@code fraction} of the JVM's max heap. */
    public static DecodeMemoryBudget ofHeapFraction(double fraction) {
        long max = Runtime.getRuntime().maxMemory();
        return new DecodeMemoryBudget(
                (long) (max * fraction),
                String.format(Locale.ROOT, "decode.memory.fraction=%s of a %.0f MB max heap", fraction, max / 1e6));
    }

    /** The budget in bytes. */
    public long capacity() {
        return capacity;
    }

    /** Bytes leased now. */
    public synchronized long used() {
        return used;
    }

    /** A held share of the budget; closing returns it (once). */
    public final class Lease implements AutoCloseable {
        private final long bytes;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(long bytes) {
            this.bytes = bytes;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                release(bytes);
            }
        }
    }

    /**
     * Waits until {@code footprint} fits, then leases it.
     *
     * @throws ImageRejectedException ({@link RejectionReason#OVER_MEMORY_BUDGET}) when it is larger than the whole
     *                                budget
     * @throws DecodeMemoryExhaustedException when it did not fit within {@code maxWait}
     * @throws InterruptedException when interrupted while waiting
     */
    public Lease acquire(DecodeFootprint footprint, Duration maxWait)
            throws ImageRejectedException, InterruptedException {
        long bytes = footprint.bytes();
        if (bytes > capacity) {
            throw new ImageRejectedException(
                    RejectionReason.OVER_MEMORY_BUDGET,
                    String.format(
                            Locale.ROOT,
                            "decoding this %dx%d image (%.1f MP) needs about %.1f MB, more than the whole decode-memory"
                                    + " budget of %.1f MB (%s)",
                            footprint.width(),
                            footprint.height(),
                            footprint.megapixels(),
                            bytes / 1e6,
                            capacity / 1e6,
                            origin));
        }
        Object ticket = new Object();
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (this) {
            queue.addLast(ticket);
            try {
                while (queue.peekFirst() != ticket || used + bytes > capacity) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new DecodeMemoryExhaustedException(String.format(
                                Locale.ROOT,
                                "waited %d ms for %.1f MB of the %.1f MB decode-memory budget (%.1f MB in use)",
                                maxWait.toMillis(),
                                bytes / 1e6,
                                capacity / 1e6,
                                used / 1e6));
                    }
                    wait(Math.max(1, left / 1_000_000));
                }
                used += bytes;
                return new Lease(bytes);
            } finally {
                queue.remove(ticket);
                notifyAll();
            }
        }
    }

    private synchronized void release(long bytes) {
        used -= bytes;
        notifyAll();
    }
}
