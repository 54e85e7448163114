package io.clipstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.topology.InferenceBatcher;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** /ready's model check runs the model for real: a blank image through the batcher, at most every interval. */
class ModelProbeTest {

    /** The probe's clock runs ahead of the batcher's by this much. */
    private long offset;

    @Test
    void readinessFollowsWhatTheModelDoesWithAProbeImage() {
        AtomicBoolean broken = new AtomicBoolean();
        AtomicInteger runs = new AtomicInteger();
        try (InferenceBatcher batcher = new InferenceBatcher(
                images -> {
                    runs.incrementAndGet();
                    if (broken.get()) {
                        throw new IllegalStateException("CUDA error: device lost");
                    }
                    return new float[images.size()][4];
                },
                4,
                Duration.ofMillis(1),
                (n, t) -> {})) {
            ModelProbe probe = new ModelProbe(
                    batcher,
                    8,
                    "cpu, 4-d",
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    () -> System.nanoTime() + offset);
            io.clipstream.observe.HttpEndpoints.Check first = probe.check();
            assertThat(first.ok()).isTrue();
            assertThat(first.detail()).startsWith("cpu, 4-d, probe embedded in ");
            broken.set(true);
            assertThat(probe.check().detail())
                    .as("a recent model run is proof enough")
                    .startsWith("cpu, 4-d, last model run ");
            assertThat(runs.get()).isEqualTo(1);
            offset += Duration.ofSeconds(11).toNanos();
            assertThat(probe.check().ok()).isFalse();
            assertThat(probe.check().detail()).contains("CUDA error: device lost");
            batcher.close();
            offset += Duration.ofSeconds(11).toNanos();
            assertThat(probe.check())
                    .isEqualTo(new io.clipstream.observe.HttpEndpoints.Check(false, "inference batcher stopped"));
        }
    }
}
