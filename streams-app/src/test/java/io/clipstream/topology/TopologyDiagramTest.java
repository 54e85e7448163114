package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The architecture diagram beside the README is drawn from the real topology and must not go stale. */
class TopologyDiagramTest {

    @Test
    void theCommittedDiagramSourceIsTheCurrentTopology() throws Exception {
        String current = TopologyDiagram.dot(TopologyDiagram.describeDefault());
        assertThat(Files.readString(Path.of("..", "architecture.dot")))
                .as("architecture.dot is stale: ./clipstream topology --dot > architecture.dot &&"
                        + " dot -Tpng -Gdpi=110 architecture.dot -o architecture.png")
                .isEqualTo(current);
        assertThat(Path.of("..", "architecture.png")).isNotEmptyFile();
    }

    @Test
    void theTopologyReadsEventsAndLabelSetsAndWritesEveryOutput() {
        String dot = TopologyDiagram.dot(TopologyDiagram.describeDefault());
        assertThat(dot).contains("\"topic:image-events\" -> \"node:image-events-source\"")
                .contains("\"node:image-batcher\" -> \"store:event-buffer\"")
                .contains("\"node:image-tags-sink\" -> \"topic:image-tags\"")
                .contains("\"node:policy-flags-sink\" -> \"topic:policy-flags\"")
                .contains("\"node:dead-letters-sink\" -> \"topic:dead-letters\"")
                .contains("\"topic:label-sets\" -> \"node:label-sets-source\"");
    }
}
