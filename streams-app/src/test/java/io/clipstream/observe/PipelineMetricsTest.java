package io.clipstream.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineMetricsTest {

    @Test
    void everyMeterCarriesTheDeviceTheBindersOnesToo() {
        PrometheusMeterRegistry registry = PipelineMetrics.prometheusRegistry("cuda:0");
        PipelineMetrics metrics = new PipelineMetrics(registry, "cuda:0");
        metrics.eventIn();
        // bound later, as Kafka Streams' binder is once the topology exists
        new ClassLoaderMetrics().bindTo(registry);
        List<Meter> meters = registry.getMeters();
        assertThat(meters)
                .extracting(m -> m.getId().getName())
                .contains("jvm.memory.used", "jvm.classes.loaded", "clipstream.events.in");
        assertThat(meters).allSatisfy(m -> assertThat(m.getId().getTag("device"))
                .as(m.getId().getName())
                .isEqualTo("cuda:0"));
        assertThat(registry.scrape()).containsPattern("jvm_memory_used_bytes\\{[^}]*device=\"cuda:0\"");
    }
}
