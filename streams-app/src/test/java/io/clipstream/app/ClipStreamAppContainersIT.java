package io.clipstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The same end-to-end scenario as {@link ClipStreamAppIT} on containers: Apache Kafka's image and Apicurio's
 * in-memory registry image. Disabled where no Docker engine is available (as on the project's CI machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class ClipStreamAppContainersIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"));

    @Container
    static final GenericContainer<?> REGISTRY = new GenericContainer<>(
                    DockerImageName.parse("apicurio/apicurio-registry-mem:2.6.13.Final"))
            .withExposedPorts(8080)
            .waitingFor(Wait.forHttp("/apis/ccompat/v7/subjects").forStatusCode(200));

    @TempDir
    static Path dir;

    @Test
    void eventsInTagsAndFlagsOutExactlyOnce() throws Exception {
        String registry = "http://" + REGISTRY.getHost() + ":" + REGISTRY.getMappedPort(8080) + "/apis/ccompat/v7";
        EndToEndScenario.RunResult r =
                new EndToEndScenario(KAFKA.getBootstrapServers(), registry, dir).run("containers", 2, 2, 100, false);
        assertThat(r.tags()).isEqualTo(100);
        assertThat(r.flags()).isEqualTo(100);
    }
}
