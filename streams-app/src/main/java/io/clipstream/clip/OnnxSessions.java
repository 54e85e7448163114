package io.clipstream.clip;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide ONNX Runtime sessions: one session per model file and options, shared by every caller and
 * reference-counted, so that many stream threads share one copy of the weights and the last holder closes it.
 */
public final class OnnxSessions {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);
    private static final Map<Key, Entry> SESSIONS = new HashMap<>();

    private OnnxSessions() {}

    record Key(Path file, ExecutionDevice device, boolean fallback, int threads, boolean spinning) {}

    static final class Entry {
        final OrtSession session;
        final ExecutionDevice device;
        int references;

        Entry(OrtSession session, ExecutionDevice device) {
            this.session = session;
            this.device = device;
        }
    }

    /** A holder's reference to a shared session; closing it releases the reference exactly once. */
    public static final class Handle implements AutoCloseable {
        private final Key key;
        private final Entry entry;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Handle(Key key, Entry entry) {
            this.key = key;
            this.entry = entry;
        }

        /** The session; valid until this handle is closed. */
        public OrtSession session() {
            if (closed.get()) {
                throw new IllegalStateException("session handle for " + key.file() + " is closed");
            }
            return entry.session;
        }

        /** The device the session actually runs on (the CPU after a permitted CUDA fallback). */
        public ExecutionDevice device() {
            return entry.device;
        }

        /** The model file. */
        public Path file() {
            return key.file();
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                release(key);
            }
        }
    }

    /**
     * Returns a handle to the shared session for {@code file}, creating the session on first use.
     *
     * @throws ModelLoadException when the file cannot be loaded or the device cannot be used
     */
    public static Handle acquire(Path file, InferenceOptions options) {
        Key key = new Key(
                file.toAbsolutePath().normalize(),
                options.device(),
                options.cudaFallbackToCpu(),
                options.intraOpThreads(),
                options.allowSpinning());
        synchronized (SESSIONS) {
            Entry entry = SESSIONS.get(key);
            if (entry == null) {
                entry = createOnLargeStack(key);
                SESSIONS.put(key, entry);
            }
            entry.references++;
            return new Handle(key, entry);
        }
    }

    /** How many distinct sessions are open now (for tests and metrics). */
    public static int openSessions() {
        synchronized (SESSIONS) {
            return SESSIONS.size();
        }
    }

    private static void release(Key key) {
        synchronized (SESSIONS) {
            Entry entry = SESSIONS.get(key);
            if (entry == null) {
                return;
            }
            if (--entry.references == 0) {
                SESSIONS.remove(key);
                try {
                    entry.session.close();
                    LOG.debug("Closed ONNX session for {}", key.file());
                } catch (OrtException e) {
                    LOG.warn("Closing the ONNX session for {} failed: {}", key.file(), e.getMessage());
                }
            }
        }
    }

    /** The first failure to load ONNX Runtime's native library; later attempts only see "Could not initialize". */
    private static volatile Throwable nativeLoadFailure;

    private static Entry create(Key key) {
        OrtEnvironment env;
        try {
            env = OrtEnvironment.getEnvironment();
        } catch (LinkageError e) {
            throw nativeLibraryFailed(key, e);
        }
        ExecutionDevice device = key.device();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (key.threads() > 0) {
                options.setIntraOpNumThreads(key.threads());
            }
            options.addConfigEntry("session.intra_op.allow_spinning", key.spinning() ? "1" : "0");
            options.addConfigEntry("session.inter_op.allow_spinning", key.spinning() ? "1" : "0");
            if (device.kind() == ExecutionDevice.Kind.CUDA) {
                device = addCuda(options, key);
            }
            OrtSession session = env.createSession(key.file().toString(), options);
            LOG.info("Loaded {} on {}", key.file(), device);
            return new Entry(session, device);
        } catch (OrtException e) {
            throw new ModelLoadException(key.file() + " cannot be loaded by ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** Stack for the thread that loads ONNX Runtime and creates sessions. */
    private static final long LOADER_STACK_BYTES = 64L * 1024 * 1024;

    /**
     * Runs {@link #create} on a thread with a large stack. Loading ONNX Runtime's native library and optimising a
     * graph recurse deeply in native code; on a caller's default stack (less what a long command line takes) that
     * overflows and kills the JVM with SIGSEGV, without a Java error.
     */
    private static Entry createOnLargeStack(Key key) {
        return createOnLargeStack(key, OnnxSessions::create);
    }

    /**
     * {@code ExceptionInInitializerError}, {@code UnsatisfiedLinkError} and {@code NoClassDefFoundError} as a
     * {@link ModelLoadException} that keeps the first, real cause (the JVM reports only "Could not initialize
     * class" from the second attempt on).
     */
    static ModelLoadException nativeLibraryFailed(Key key, Throwable error) {
        if (nativeLoadFailure == null && !(error instanceof NoClassDefFoundError)) {
            nativeLoadFailure = error;
        }
        Throwable cause = nativeLoadFailure != null ? nativeLoadFailure : error;
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        ModelLoadException failure = new ModelLoadException(
                "ONNX Runtime's native library cannot be loaded for " + key.file() + ": " + root, cause);
        if (cause != error) {
            failure.addSuppressed(error);
        }
        return failure;
    }

    /** Runs {@code create} on a large-stack thread; whatever it throws, Errors included, reaches the caller. */
    static Entry createOnLargeStack(Key key, java.util.function.Function<Key, Entry> create) {
        Entry[] entry = new Entry[1];
        Throwable[] failure = new Throwable[1];
        Thread loader = new Thread(
                null,
                () -> {
                    try {
                        entry[0] = create.apply(key);
                    } catch (Throwable e) {
                        failure[0] = e;
                    }
                },
                "onnx-session-loader",
                LOADER_STACK_BYTES);
        loader.start();
        try {
            loader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("interrupted while loading " + key.file(), e);
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof LinkageError e) {
            throw nativeLibraryFailed(key, e);
        }
        if (failure[0] != null) {
            throw new ModelLoadException(key.file() + " cannot be loaded: " + failure[0], failure[0]);
        }
        return entry[0];
    }

    private static ExecutionDevice addCuda(OrtSession.SessionOptions options, Key key) {
        String reason;
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            reason = "this ONNX Runtime build has no CUDA provider (available: "
                    + OrtEnvironment.getAvailableProviders() + "); build with the gpu Maven profile";
        } else {
            try {
                options.addCUDA(key.device().index());
                return key.device();
            } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
                reason = "the CUDA provider failed to load: " + e.getMessage();
            }
        }
        if (!key.fallback()) {
            throw new ModelLoadException("device " + key.device() + " was asked for " + key.file() + " but " + reason
                    + " (allow the CPU fallback to run anyway)");
        }
        LOG.warn("Device {} unavailable for {}: {}; running on the CPU", key.device(), key.file(), reason);
        return ExecutionDevice.CPU;
    }
}
