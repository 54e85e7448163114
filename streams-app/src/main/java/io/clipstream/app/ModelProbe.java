package io.clipstream.app;

import io.clipstream.image.RgbImage;
import io.clipstream.observe.HttpEndpoints;
import io.clipstream.topology.InferenceBatcher;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The readiness check of the model: a model run that embedded real images within {@code interval} is proof enough;
 * without one, a blank image is run through the inference batcher (so the dispatcher thread and the model session
 * are both exercised), at most once per {@code interval}; between probes the last answer stands.
 */
final class ModelProbe {

    private final InferenceBatcher batcher;
    private final int size;
    private final String description;
    private final Duration timeout;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private long checkedAt;
    private HttpEndpoints.Check last;

    ModelProbe(
            InferenceBatcher batcher,
            int size,
            String description,
            Duration timeout,
            Duration interval,
            LongSupplier nanoTime) {
        this.batcher = batcher;
        this.size = size;
        this.description = description;
        this.timeout = timeout;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The model's readiness, probing it when the last probe is older than the interval. */
    synchronized HttpEndpoints.Check check() {
        long now = nanoTime.getAsLong();
        java.util.OptionalLong lastRun = batcher.lastSuccessNanos();
        if (batcher.isRunning() && lastRun.isPresent() && now - lastRun.getAsLong() < intervalNanos) {
            return new HttpEndpoints.Check(
                    true,
                    String.format(
                            Locale.ROOT,
                            "%s, last model run %d ms ago",
                            description,
                            (now - lastRun.getAsLong()) / 1_000_000));
        }
        if (last != null && now - checkedAt < intervalNanos) {
            return last;
        }
        last = probe();
        checkedAt = now;
        return last;
    }

    private HttpEndpoints.Check probe() {
        if (!batcher.isRunning()) {
            return new HttpEndpoints.Check(false, "inference batcher stopped");
        }
        long start = System.nanoTime();
        try {
            InferenceBatcher.Outcomes outcomes =
                    batcher.embedEach(List.of(new RgbImage(size, size, new byte[size * size * 3])), timeout);
            if (outcomes.failures()[0] != null) {
                return new HttpEndpoints.Check(false, "probe image failed: " + outcomes.failures()[0]);
            }
            return new HttpEndpoints.Check(
                    true,
                    String.format(
                            Locale.ROOT,
                            "%s, probe embedded in %d ms",
                            description,
                            (System.nanoTime() - start) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new HttpEndpoints.Check(false, "interrupted while probing the model");
        } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
            return new HttpEndpoints.Check(false, "probe image failed: " + e.getMessage());
        }
    }
}
