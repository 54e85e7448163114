package io.clipstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
                        + " /usr/bin/python3 tools/draw_architecture.py")
                .isEqualTo(current);
        assertThat(pngText(Files.readAllBytes(Path.of("..", "architecture.png")), "clipstream-dot"))
                .as("architecture.png was not drawn from the current topology: /usr/bin/python3"
                        + " tools/draw_architecture.py (after writing architecture.dot)")
                .isEqualTo(current);
    }

    @Test
    void aPictureWithoutItsSourceOrWithAnotherOneIsCaught() {
        byte[] png = {
            (byte) 0x89,
            'P',
            'N',
            'G',
            '\r',
            '\n',
            0x1a,
            '\n',
            0,
            0,
            0,
            3,
            't',
            'E',
            'X',
            't',
            'k',
            0,
            'x',
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            'I',
            'E',
            'N',
            'D',
            0,
            0,
            0,
            0
        };
        assertThat(pngText(png, "k")).isEqualTo("x");
        assertThat(pngText(png, "clipstream-dot")).isNull();
    }

    /** The text of the PNG tEXt chunk {@code keyword}, or null (CRCs are not checked). */
    static String pngText(byte[] png, String keyword) {
        ByteBuffer in = ByteBuffer.wrap(png);
        in.position(8);
        while (in.remaining() >= 12) {
            int length = in.getInt();
            String type = new String(png, in.position(), 4, StandardCharsets.ISO_8859_1);
            int data = in.position() + 4;
            if (type.equals("tEXt")) {
                String text = new String(png, data, length, StandardCharsets.ISO_8859_1);
                int nul = text.indexOf('\0');
                if (nul > 0 && text.substring(0, nul).equals(keyword)) {
                    return text.substring(nul + 1);
                }
            }
            in.position(data + length + 4);
        }
        return null;
    }

    @Test
    void theTopologyReadsEventsAndLabelSetsAndWritesEveryOutput() {
        String dot = TopologyDiagram.dot(TopologyDiagram.describeDefault());
        assertThat(dot)
                .contains("\"topic:image-events\" -> \"node:image-events-source\"")
                .contains("\"node:image-batcher\" -> \"store:event-buffer\"")
                .contains("\"node:image-tags-sink\" -> \"topic:image-tags\"")
                .contains("\"node:policy-flags-sink\" -> \"topic:policy-flags\"")
                .contains("\"node:dead-letters-sink\" -> \"topic:dead-letters\"")
                .contains("\"topic:label-sets\" -> \"node:label-sets-source\"");
    }
}
