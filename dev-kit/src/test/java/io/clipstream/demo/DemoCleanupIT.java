package io.clipstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --keep-running} stopped with SIGTERM (as Ctrl-C or {@code kill} would) closes Kafka and the processor
 * and deletes its temporary folder, as {@code run} shuts down on SIGTERM.
 */
class DemoCleanupIT {

    @TempDir
    Path tmp;

    @Test
    void sigtermDuringKeepRunningDeletesTheDemoFolder() throws Exception {
        Path log = tmp.resolve("demo.log");
        Path javaTmp = Files.createDirectories(tmp.resolve("java-tmp"));
        Process demo = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-Djava.io.tmpdir=" + javaTmp,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.clipstream.cli.DevKitCommand",
                        "demo",
                        "--keep-running",
                        "--rate",
                        "0",
                        "--model",
                        Path.of("models", "tiny-shapes").toString(),
                        "--labels",
                        Path.of("label-sets", "tiny-shapes.yaml").toString()))
                .directory(Path.of("..").toAbsolutePath().normalize().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.readString(log).contains("Still running") && System.nanoTime() < deadline) {
                assertThat(demo.isAlive())
                        .as("demo exited early:\n" + Files.readString(log))
                        .isTrue();
                Thread.sleep(200);
            }
            assertThat(Files.readString(log)).contains("Still running");
            assertThat(demoFolders(javaTmp))
                    .as("the demo's Kafka folder while it runs")
                    .hasSize(1);
            demo.destroy();
            assertThat(demo.waitFor(90, TimeUnit.SECONDS)).isTrue();
        } finally {
            demo.destroyForcibly();
        }
        System.out.printf(
                "demo stopped with SIGTERM: %s%n",
                Files.readAllLines(log).stream()
                        .filter(l -> l.startsWith("Stopping"))
                        .findFirst()
                        .orElse("(no stop line)"));
        assertThat(demoFolders(javaTmp))
                .as("demo folders left in java.io.tmpdir")
                .isEmpty();
    }

    private static List<Path> demoFolders(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().startsWith("clipstream-demo"))
                    .toList();
        }
    }
}
