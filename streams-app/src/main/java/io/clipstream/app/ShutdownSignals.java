package io.clipstream.app;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT (Ctrl-C) handled before the JVM starts shutting down. ONNX Runtime closes its native
 * environment in a JVM shutdown hook of its own, run in parallel with any other, so a model run still in flight
 * while a shutdown hook closes the processor crashes the JVM (SIGSEGV in libonnxruntime) before the batch is
 * committed or temporary files are deleted. Handling the signal first lets {@code stop} finish, and only then does
 * the JVM exit and ONNX Runtime close its environment.
 */
public final class ShutdownSignals implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownSignals.class);

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private Thread hook;

    private ShutdownSignals() {}

    /**
     * On the first SIGTERM or SIGINT, runs {@code stop} on a thread named {@code name}, then exits with status 0
     * (130 after SIGINT, as shells expect); a second signal exits at once. Where signals cannot be handled,
     * {@code stop} runs as a shutdown hook instead. Closing the result restores the previous handlers.
     */
    public static ShutdownSignals onTermOrInt(String name, Runnable stop) {
        ShutdownSignals registration = new ShutdownSignals();
        AtomicBoolean stopping = new AtomicBoolean();
        try {
            for (String signal : List.of("TERM", "INT")) {
                int status = signal.equals("INT") ? 130 : 0;
                Signal s = new Signal(signal);
                registration.previous.add(Signal.handle(s, received -> {
                    if (!stopping.compareAndSet(false, true)) {
                        Runtime.getRuntime().halt(status);
                    }
                    new Thread(
                                    () -> {
                                        try {
                                            stop.run();
                                        } catch (RuntimeException e) {
                                            LOG.warn("Stopping after SIG{} failed: {}", signal, e.toString());
                                        }
                                        System.exit(status);
                                    },
                                    name)
                            .start();
                }));
                registration.signals.add(s);
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.debug("Signals cannot be handled here ({}); stopping from a shutdown hook", e.getMessage());
            registration.hook = new Thread(stop, name);
            Runtime.getRuntime().addShutdownHook(registration.hook);
        }
        return registration;
    }

    /** Restores the handlers that were there before (or removes the fallback shutdown hook). */
    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        signals.clear();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running
            }
            hook = null;
        }
    }
}
