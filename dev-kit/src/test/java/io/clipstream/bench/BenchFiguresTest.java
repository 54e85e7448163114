package io.clipstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The steady-state rate and the peer's requirement check, without a broker or a model. */
class BenchFiguresTest {
    @TempDir
    Path dir;

    @Test
    void steadyRateIgnoresASlowStartAndTail() {
        List<Long> t = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < 10; i++) {
            t.add(now += 1_000_000_000L); // start-up: one result per second
        }
        for (int i = 0; i < 80; i++) {
            t.add(now += 10_000_000L); // steady: 100 results per second
        }
        for (int i = 0; i < 10; i++) {
            t.add(now += 500_000_000L); // tail
        }
        // p10..p90 are indexes 10 and 89: 79 intervals of 10 ms
        assertThat(Benchmark.steadyRate(t)).isCloseTo(100.0, within(1e-9));
        double wholeRun = t.size() / ((t.get(t.size() - 1) - 0) / 1e9);
        assertThat(wholeRun).isLessThan(7);
    }

    @Test
    void steadyRateOfFewCompletionsUsesFirstToLast() {
        assertThat(Benchmark.steadyRate(List.of(0L, 500_000_000L, 1_000_000_000L)))
                .isCloseTo(2.0, within(1e-9));
        assertThat(Benchmark.steadyRate(List.of(5L))).isZero();
    }

    @Test
    void peerRequirementsNameEveryMissingPieceWithItsDebianPackage() throws Exception {
        Path python = fakePython("echo\necho avro\necho\necho\necho torchvision\n");
        Path model = Files.createDirectories(dir.resolve("model"));
        List<String> unmet = PeerRequirements.unmet(python.toString(), dir.resolve("clip_peer.py"), model);
        assertThat(unmet)
                .containsExactly(
                        "no peer script at " + dir.resolve("clip_peer.py") + " (set CLIPSTREAM_HOME to the checkout)",
                        "no " + model.resolve("visual.pt") + " (tools/make_vitb32.py writes it)",
                        python + " lacks the modules avro (python3-avro), torchvision (python3-torchvision)");
        assertThat(PeerRequirements.MODULES)
                .containsKeys("confluent_kafka", "avro", "numpy", "torch", "torchvision", "PIL", "onnx", "regex");
    }

    @Test
    void aPythonThatCannotRunIsNamed() throws Exception {
        Files.writeString(dir.resolve("clip_peer.py"), "");
        Path model = Files.createDirectories(dir.resolve("model"));
        Files.writeString(model.resolve("visual.pt"), "");
        assertThat(PeerRequirements.unmet(dir.resolve("no-python").toString(), dir.resolve("clip_peer.py"), model))
                .singleElement()
                .asString()
                .startsWith("cannot run " + dir.resolve("no-python") + ": ");
        assertThat(PeerRequirements.unmet(fakePython("echo\n").toString(), dir.resolve("clip_peer.py"), model))
                .isEmpty();
    }

    private Path fakePython(String body) throws IOException {
        Path script = dir.resolve("python-" + body.hashCode());
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }
}
