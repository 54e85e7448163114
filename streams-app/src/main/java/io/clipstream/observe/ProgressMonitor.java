package io.clipstream.observe;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Whether the processor can still make progress, for /health: DOWN when {@code maxBatchFailures} batches in a row
 * failed for a reason no single event explains (the model fails on everything, inference times out), or when
 * Kafka Streams replaced a failed stream thread {@code maxThreadReplacements} times within {@code window}. A
 * liveness probe then restarts the process instead of leaving it stuck while reporting UP.
 */
public final class ProgressMonitor {

    private final int maxBatchFailures;
    private final int maxThreadReplacements;
    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final ArrayDeque<Long> replacements = new ArrayDeque<>();
    private int consecutiveBatchFailures;
    private String lastFailure = "";

    /**
     * @param maxBatchFailures consecutive failed batches that turn health DOWN
     * @param maxThreadReplacements stream-thread replacements within {@code window} that turn health DOWN
     * @param nanoTime the clock (System::nanoTime outside tests)
     */
    public ProgressMonitor(int maxBatchFailures, int maxThreadReplacements, Duration window, LongSupplier nanoTime) {
        this.maxBatchFailures = maxBatchFailures;
        this.maxThreadReplacements = maxThreadReplacements;
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The configuration defaults: 5 failed batches in a row, 3 replaced threads in 10 minutes. */
    public static ProgressMonitor defaults() {
        return new ProgressMonitor(5, 3, Duration.ofMinutes(10), System::nanoTime);
    }

    /** A batch went through (its events have results or dead letters). */
    public synchronized void batchSucceeded() {
        consecutiveBatchFailures = 0;
    }

    /** A batch failed as a whole and will be retried. */
    public synchronized void batchFailed(String reason) {
        consecutiveBatchFailures++;
        lastFailure = reason;
    }

    /** Kafka Streams replaced a failed stream thread. */
    public synchronized void threadReplaced() {
        replacements.addLast(nanoTime.getAsLong());
        trim();
    }

    private void trim() {
        long now = nanoTime.getAsLong();
        while (!replacements.isEmpty() && now - replacements.peekFirst() > windowNanos) {
            replacements.removeFirst();
        }
    }

    /** Whether progress is possible, with why not. */
    public synchronized HttpEndpoints.Check check() {
        trim();
        if (consecutiveBatchFailures >= maxBatchFailures) {
            return new HttpEndpoints.Check(
                    false,
                    String.format(
                            Locale.ROOT,
                            "%d batches in a row failed (limit %d), last: %s",
                            consecutiveBatchFailures,
                            maxBatchFailures,
                            lastFailure));
        }
        if (replacements.size() >= maxThreadReplacements) {
            return new HttpEndpoints.Check(
                    false,
                    String.format(
                            Locale.ROOT,
                            "%d stream threads replaced within %d s (limit %d)",
                            replacements.size(),
                            windowNanos / 1_000_000_000L,
                            maxThreadReplacements));
        }
        return new HttpEndpoints.Check(
                true,
                String.format(
                        Locale.ROOT,
                        "%d failed batches in a row, %d thread" + " replacements within %d s",
                        consecutiveBatchFailures,
                        replacements.size(),
                        windowNanos / 1_000_000_000L));
    }
}
