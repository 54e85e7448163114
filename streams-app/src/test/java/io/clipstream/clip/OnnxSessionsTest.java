package io.clipstream.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A native library that fails to load is reported with its real cause, never as a NullPointerException. */
class OnnxSessionsTest {

    private static final OnnxSessions.Key KEY =
            new OnnxSessions.Key(Path.of("/models/x/visual/model.onnx"), ExecutionDevice.CPU, false, 1, false);

    @Test
    void anUnsatisfiedLinkErrorOnTheLoaderThreadBecomesAModelLoadExceptionWithItsCause() {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError("libonnxruntime.so: cannot open shared object file");
        assertThatThrownBy(() -> OnnxSessions.createOnLargeStack(KEY, key -> {
                    throw error;
                }))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("ONNX Runtime's native library cannot be loaded for /models/x/visual/model.onnx:"
                        + " java.lang.UnsatisfiedLinkError: libonnxruntime.so: cannot open shared object file")
                .hasCause(error);
        // the JVM reports only "Could not initialize class" on later attempts: the first cause is kept
        NoClassDefFoundError later = new NoClassDefFoundError("Could not initialize class ai.onnxruntime.OnnxRuntime");
        Throwable second =
                org.assertj.core.api.Assertions.catchThrowable(() -> OnnxSessions.createOnLargeStack(KEY, key -> {
                    throw later;
                }));
        assertThat(second)
                .isInstanceOf(ModelLoadException.class)
                .hasCause(error)
                .hasMessageContaining("cannot open shared object file");
        assertThat(second.getSuppressed()).containsExactly(later);
    }

    @Test
    void anyOtherErrorOnTheLoaderThreadReachesTheCaller() {
        assertThatThrownBy(() -> OnnxSessions.createOnLargeStack(KEY, key -> {
                    throw new StackOverflowError();
                }))
                .isInstanceOf(ModelLoadException.class)
                .hasCauseInstanceOf(StackOverflowError.class)
                .hasMessage("/models/x/visual/model.onnx cannot be loaded: java.lang.StackOverflowError");
    }
}
