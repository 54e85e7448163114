package io.clipstream.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The processor's own metrics, on a Micrometer registry (exposed by Prometheus at {@code /metrics}): events in,
 * tags and flags out, dead letters by reason, batch sizes, inference and end-to-end latency, active label-set
 * versions. Every meter carries the device tag.
 */
public final class PipelineMetrics {

    private final MeterRegistry registry;
    private final String device;
    private final Counter eventsIn;
    private final Counter tagsOut;
    private final DistributionSummary flushSize;
    private final DistributionSummary inferenceBatchSize;
    private final Timer inferenceLatency;
    private final Timer endToEnd;
    private final Map<String, AtomicLong> labelSetVersions = new ConcurrentHashMap<>();

    public PipelineMetrics(MeterRegistry registry, String device) {
        this.registry = registry;
        this.device = device;
        this.eventsIn = Counter.builder("clipstream.events.in")
                .description("Image events read")
                .tag("device", device)
                .register(registry);
        this.tagsOut = Counter.builder("clipstream.tags.out")
                .description("ImageTags records emitted")
                .tag("device", device)
                .register(registry);
        this.flushSize = DistributionSummary.builder("clipstream.flush.size")
                .description("Events per flushed stream-task batch")
                .tag("device", device)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(registry);
        this.inferenceBatchSize = DistributionSummary.builder("clipstream.inference.batch.size")
                .description("Images per model run (after merging stream threads)")
                .tag("device", device)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(registry);
        this.inferenceLatency = Timer.builder("clipstream.inference.latency")
                .description("Model run time")
                .tag("device", device)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.endToEnd = Timer.builder("clipstream.end.to.end.latency")
                .description("Event time (occurredAt) to emission of its results")
                .tag("device", device)
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    /**
     * The Prometheus registry of one processor: every meter on it, the JVM's and Kafka's binders included, carries
     * the {@code device} tag (a common tag), and the JVM memory binder is bound.
     */
    public static PrometheusMeterRegistry prometheusRegistry(String device) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("device", device);
        new JvmMemoryMetrics().bindTo(registry);
        return registry;
    }

    /** The registry, for binding Kafka Streams' metrics. */
    public MeterRegistry registry() {
        return registry;
    }

    public void eventIn() {
        eventsIn.increment();
    }

    public void tagsOut(int count) {
        tagsOut.increment(count);
    }

    public void flagOut(String policy, String action) {
        Counter.builder("clipstream.flags.out")
                .description("PolicyFlag records emitted")
                .tags("policy", policy, "action", action, "device", device)
                .register(registry)
                .increment();
    }

    /** One BankMatch emitted; {@code suppressed} when a negative bank overrides it. */
    public void bankMatch(String bank, boolean suppressed) {
        Counter.builder("clipstream.bank.matches")
                .description("BankMatch records emitted")
                .tags("bank", bank, "suppressed", Boolean.toString(suppressed), "device", device)
                .register(registry)
                .increment();
    }

    /**
     * Counts events scored by a label set, by mode ({@code live} or {@code shadow}): with
     * {@link #labelSetFlag} it gives each policy's flag rate, live beside shadow.
     */
    public void labelSetScored(String labelSet, String mode, int events) {
        Counter.builder("clipstream.label.set.scored")
                .description("Events a label set applied to and scored")
                .tags("label_set", labelSet, "mode", mode, "device", device)
                .register(registry)
                .increment(events);
    }

    /** Counts a flag a label set raised, by mode; live flags suppressed by a negative bank are not counted. */
    public void labelSetFlag(String labelSet, String mode, String policy) {
        Counter.builder("clipstream.label.set.flags")
                .description("Flags raised per label set, policy and mode")
                .tags("label_set", labelSet, "mode", mode, "policy", policy, "device", device)
                .register(registry)
                .increment();
    }

    /**
     * The share of scored events a policy flagged, for a label set in one mode; NaN before any event was scored.
     */
    public double flagRate(String labelSet, String mode, String policy) {
        double scored = count("clipstream.label.set.scored", "label_set", labelSet, "mode", mode);
        return scored == 0
                ? Double.NaN
                : count("clipstream.label.set.flags", "label_set", labelSet, "mode", mode, "policy", policy) / scored;
    }

    public void deadLetter(String reason) {
        Counter.builder("clipstream.dead.letters")
                .description("Records sent to the dead-letter topic")
                .tags("reason", reason, "device", device)
                .register(registry)
                .increment();
    }

    public void flushed(int events) {
        flushSize.record(events);
    }

    public void inferenceRun(int batchSize, long nanos) {
        inferenceBatchSize.record(batchSize);
        inferenceLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void endToEnd(Duration latency) {
        if (!latency.isNegative()) {
            endToEnd.record(latency);
        }
    }

    /** Records the active version of a label set (numeric versions as their value, others as 1). */
    public void labelSetActive(String name, String version) {
        long numeric;
        try {
            numeric = Long.parseLong(version);
        } catch (NumberFormatException e) {
            numeric = 1;
        }
        labelSetVersions
                .computeIfAbsent(name, n -> {
                    AtomicLong holder = new AtomicLong();
                    Gauge.builder("clipstream.label.set.version", holder, AtomicLong::get)
                            .description("Active version of each label set")
                            .tags("label_set", n, "device", device)
                            .register(registry);
                    return holder;
                })
                .set(numeric);
    }

    /**
     * Records which JPEG decoder runs ({@code turbojpeg} or {@code imageio}) and whether draft decoding is on:
     * gauge {@code clipstream.preprocess.jpeg.decoder} = 1 with tags {@code decoder} and {@code draft}.
     */
    public void jpegDecoder(String decoder, boolean draft) {
        Gauge.builder("clipstream.preprocess.jpeg.decoder", () -> 1)
                .description("The JPEG decoder in use (value 1; see the decoder and draft tags)")
                .tags("decoder", decoder, "draft", Boolean.toString(draft), "device", device)
                .register(registry);
    }

    public void labelSetRefused(String name) {
        Counter.builder("clipstream.label.sets.refused")
                .description("Label sets refused (fingerprint, format)")
                .tags("label_set", name, "device", device)
                .register(registry)
                .increment();
    }

    /** The total of a counter (tests, the demo's summary). */
    public double count(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counters();
        return counter.stream().mapToDouble(Counter::count).sum();
    }
}
