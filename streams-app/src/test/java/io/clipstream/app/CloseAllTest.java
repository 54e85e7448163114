package io.clipstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** ClipStreamApp.close() closes everything even when one resource fails to close. */
class CloseAllTest {

    @Test
    void everyStepRunsAndTheFirstFailureIsRethrownWithTheOthersSuppressed() {
        List<String> closed = new ArrayList<>();
        IllegalStateException streams = new IllegalStateException("streams did not stop");
        OutOfMemoryError http = new OutOfMemoryError("no native thread");
        assertThatThrownBy(() -> CloseAll.run(
                        LoggerFactory.getLogger(CloseAllTest.class),
                        List.of(
                                CloseAll.step("Kafka Streams", () -> {
                                    closed.add("streams");
                                    throw streams;
                                }),
                                CloseAll.step("inference batcher", () -> closed.add("batcher")),
                                CloseAll.step("HTTP endpoints", () -> {
                                    closed.add("http");
                                    throw http;
                                }),
                                CloseAll.step("model session", () -> closed.add("model")))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("closing the Kafka Streams failed: java.lang.IllegalStateException: streams did not stop")
                .hasCause(streams)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(http));
        assertThat(closed).containsExactly("streams", "batcher", "http", "model");
    }
}
