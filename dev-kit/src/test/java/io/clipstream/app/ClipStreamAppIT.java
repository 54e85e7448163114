package io.clipstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.testing.ApicurioRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor end to end on Kafka's own broker (in process) and a real schema registry (Apicurio, child process):
 * events in, tags and flags out under exactly-once read with {@code read_committed}, a label-set hot update, the
 * HTTP probes, and the throughput, latency and batch sizes it reaches, printed.
 */
class ClipStreamAppIT {

    private static EmbeddedKafkaBroker broker;
    private static ApicurioRegistry apicurio;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startInfrastructure() {
        broker = EmbeddedKafkaBroker.builder().build().start();
        apicurio = ApicurioRegistry.shared();
    }

    @AfterAll
    static void stopInfrastructure() {
        if (broker != null) {
            broker.close();
        }
    }

    private EndToEndScenario scenario() {
        return new EndToEndScenario(broker.bootstrapServers(), apicurio.ccompatUrl(), dir);
    }

    @Test
    void eventsInTagsAndFlagsOutExactlyOnceOnOnePartition() throws Exception {
        EndToEndScenario.RunResult r = scenario().run("p1", 1, 1, 200, false);
        assertThat(r.tags()).isEqualTo(200);
        assertThat(r.flags()).isEqualTo(200);
        assertThat(r.versions()).containsExactly("1");
    }

    @Test
    void fourPartitionsOnFourThreadsShareTheBatcher() throws Exception {
        EndToEndScenario.RunResult r = scenario().run("p4", 4, 4, 200, false);
        assertThat(r.tags()).isEqualTo(200);
        assertThat(r.flags()).isEqualTo(200);
    }

    @Test
    void aLabelSetPublishedMidStreamIsPickedUpWithoutRestart() throws Exception {
        EndToEndScenario.RunResult r = scenario().run("hot", 1, 1, 300, true);
        assertThat(r.tags()).isEqualTo(300);
        assertThat(r.versions()).containsExactlyInAnyOrder("1", "2");
        int switched = r.versionsInOrder().indexOf("2");
        assertThat(r.versionsInOrder().subList(switched, r.versionsInOrder().size()))
                .as("after the switch every result names the new version")
                .containsOnly("2");
    }
}
