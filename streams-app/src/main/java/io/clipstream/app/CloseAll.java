package io.clipstream.app;

import java.util.List;
import org.slf4j.Logger;

/**
 * Closes resources in order, each one even when an earlier one failed: a failure is logged with the name of what
 * failed, and the first is rethrown at the end with the others suppressed.
 */
final class CloseAll {

    /** One thing to close, by name. */
    record Step(String name, AutoCloseable resource) {}

    private CloseAll() {}

    static Step step(String name, AutoCloseable resource) {
        return new Step(name, resource);
    }

    /**
     * Runs every step.
     *
     * @throws IllegalStateException after all steps ran, when any failed (the first as cause, the rest suppressed)
     */
    static void run(Logger log, List<Step> steps) {
        IllegalStateException failure = null;
        for (Step step : steps) {
            try {
                step.resource().close();
            } catch (Exception | Error e) {
                log.warn("Closing the {} failed: {}", step.name(), String.valueOf(e));
                if (failure == null) {
                    failure = new IllegalStateException("closing the " + step.name() + " failed: " + e, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
