package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.clipstream.image.RgbImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The batcher's concurrency core: Errors, bisection, bounded waits, and close() racing callers. */
class InferenceBatcherTest {

    private static RgbImage image(int marker) {
        byte[] px = new byte[2 * 2 * 3];
        px[0] = (byte) marker;
        return new RgbImage(2, 2, px);
    }

    /** Embeds each image as {marker}; throws {@code error} for an image whose marker is 13. */
    private static Function<List<RgbImage>, float[][]> modelFailingOn13(
            RuntimeException exception, Error error, AtomicInteger runs) {
        return images -> {
            runs.incrementAndGet();
            float[][] out = new float[images.size()][];
            for (int i = 0; i < images.size(); i++) {
                if (images.get(i).pixels()[0] == 13) {
                    if (error != null) {
                        throw error;
                    }
                    throw exception;
                }
                out[i] = new float[] {images.get(i).pixels()[0]};
            }
            return out;
        };
    }

    @Test
    void anOutOfMemoryErrorInTheModelFailsOnlyItsImageAndTheDispatcherLivesOn() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (InferenceBatcher batcher = new InferenceBatcher(
                modelFailingOn13(null, new OutOfMemoryError("Java heap space"), runs),
                8,
                Duration.ofMillis(20),
                (n, t) -> {})) {
            InferenceBatcher.Outcomes outcomes = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> batcher.embedEach(List.of(image(1), image(13), image(3), image(4)), Duration.ofSeconds(5)));
            assertThat(outcomes.embeddings()[0]).containsExactly(1f);
            assertThat(outcomes.embeddings()[1]).isNull();
            assertThat(outcomes.failures()[1])
                    .isInstanceOf(OutOfMemoryError.class)
                    .hasMessage("Java heap space");
            assertThat(outcomes.embeddings()[2]).containsExactly(3f);
            assertThat(outcomes.embeddings()[3]).containsExactly(4f);
            assertThat(runs.get()).as("[1,13,3,4] [1,13] [1] [13] [3,4]").isEqualTo(5);
            assertThat(batcher.isRunning()).isTrue();
            assertThat(batcher.embed(List.of(image(7)))[0]).containsExactly(7f);
        }
    }

    @Test
    void aModelThatFailsOnEverythingIsUnavailableNotAPerImageFailure() {
        try (InferenceBatcher batcher = new InferenceBatcher(
                images -> {
                    throw new IllegalStateException("model file gone");
                },
                8,
                Duration.ofMillis(1),
                (n, t) -> {})) {
            assertThatThrownBy(() -> batcher.embedEach(List.of(image(1), image(2)), Duration.ofSeconds(5)))
                    .isInstanceOf(InferenceBatcher.ModelUnavailableException.class)
                    .hasMessageContaining("the model fails on every image, even a blank one")
                    .hasMessageContaining("model file gone");
        }
    }

    @Test
    void aCallerWaitsNoLongerThanItsTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (InferenceBatcher batcher = new InferenceBatcher(
                images -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new float[images.size()][1];
                },
                8,
                Duration.ofMillis(1),
                (n, t) -> {})) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> batcher.embedEach(List.of(image(1)), Duration.ofMillis(300)))
                    .isInstanceOf(TimeoutException.class);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(300L, 3_000L);
            release.countDown();
        }
    }

    @Test
    void closeRacingCallersNeverLeavesOneWaiting() throws Exception {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 200; round++) {
                InferenceBatcher batcher = new InferenceBatcher(
                        images -> new float[images.size()][1], 4, Duration.ofMillis(1), (n, t) -> {});
                List<Thread> callers = new ArrayList<>();
                AtomicInteger ended = new AtomicInteger();
                for (int c = 0; c < 4; c++) {
                    Thread t = new Thread(() -> {
                        try {
                            batcher.embedEach(List.of(image(1), image(2), image(3)), Duration.ofMinutes(5));
                        } catch (InferenceBatcher.ModelUnavailableException | TimeoutException e) {
                            // closed under it: a failure, not a hang
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        ended.incrementAndGet();
                    });
                    t.start();
                    callers.add(t);
                }
                batcher.close();
                for (Thread t : callers) {
                    t.join(5_000);
                }
                assertThat(ended.get()).as("round " + round).isEqualTo(4);
            }
        });
    }
}
