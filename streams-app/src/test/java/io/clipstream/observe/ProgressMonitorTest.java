package io.clipstream.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** /health's progress check: failed batches in a row, and stream threads replaced within a window. */
class ProgressMonitorTest {

    private long now;
    private final ProgressMonitor monitor = new ProgressMonitor(3, 2, Duration.ofMinutes(5), () -> now);

    @Test
    void batchesFailingInARowTurnItDownAndOneSuccessBringsItBack() {
        monitor.batchFailed("model down");
        monitor.batchFailed("model down");
        assertThat(monitor.check().ok()).isTrue();
        monitor.batchFailed("model down");
        assertThat(monitor.check())
                .isEqualTo(new HttpEndpoints.Check(false, "3 batches in a row failed (limit 3), last: model down"));
        monitor.batchSucceeded();
        assertThat(monitor.check().ok()).isTrue();
    }

    @Test
    void threadReplacementsCountOnlyWithinTheWindow() {
        monitor.threadReplaced();
        now += Duration.ofMinutes(6).toNanos();
        monitor.threadReplaced();
        assertThat(monitor.check().ok()).as("the first is out of the window").isTrue();
        now += Duration.ofMinutes(1).toNanos();
        monitor.threadReplaced();
        assertThat(monitor.check())
                .isEqualTo(new HttpEndpoints.Check(false, "2 stream threads replaced within 300 s (limit 2)"));
        now += Duration.ofMinutes(10).toNanos();
        assertThat(monitor.check().ok()).isTrue();
    }
}
