package io.clipstream.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.clipstream.schema.LabelSet;
import io.clipstream.schema.MatchedLabel;
import io.clipstream.schema.Tag;
import java.util.List;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class CompiledLabelSetTest {

    private final CompiledLabelSet set = CompiledLabelSet.of(LabelSetFixtures.paperSet("1", "sha256:test"));

    @Test
    void cosinesAreOneMatrixProduct() {
        float[] cosines = set.cosines(new float[][] {{0.8f, 0.6f}, {1f, 0f}});
        assertThat(cosines).containsExactly(new float[] {0.8f, 0.6f, 0.96f, 0.28f, 1f, 0f, 0.6f, 0.8f}, within(1e-6f));
    }

    @Test
    void softmaxGroupsTagTheTopKAboveTheLeastProbability() {
        List<ImageVerdict> verdicts = set.score(new float[][] {{0.8f, 0.6f}, {1f, 0f}});
        Tag circle = verdicts.get(0).tags().get(0);
        assertThat(circle.getLabelId()).isEqualTo("shape.circle");
        assertThat(circle.getRank()).isEqualTo(1);
        assertThat(circle.getGroup()).isEqualTo("shape");
        // softmax(10 * [0.8, 0.6]) = [1 / (1 + e^-2), 1 / (1 + e^2)] = [0.880797, 0.119203]; 0.119 < 0.2
        assertThat(circle.getScore()).isCloseTo(0.880797f, within(1e-6f));
        assertThat(verdicts.get(0).tags()).extracting(Tag::getLabelId).containsExactly("shape.circle", "signs.warning");
        assertThat(verdicts.get(1).tags().get(0).getScore()).isCloseTo(0.9999546f, within(1e-6f));
    }

    @Test
    void thresholdGroupsTagWhatClearsTheThresholdAndBeatsItsCounters() {
        List<ImageVerdict> verdicts = set.score(new float[][] {{0.8f, 0.6f}, {1f, 0f}});
        Tag warning = verdicts.get(0).tags().get(1);
        assertThat(warning.getScore()).isCloseTo(0.96f, within(1e-6f));
        assertThat(warning.getRank()).isEqualTo(1);
        // (1,0): warning clears 0.5 with 0.6 but its counter scores 1.0, so only the skull (0.8) is tagged
        assertThat(verdicts.get(1).tags()).extracting(Tag::getLabelId).containsExactly("shape.circle", "signs.skull");
    }

    @Test
    void policiesFireOnAnyOrAllWithPrefixesAndMinimumScores() {
        List<ImageVerdict> verdicts = set.score(new float[][] {{0.8f, 0.6f}, {1f, 0f}});
        ImageVerdict first = verdicts.get(0);
        assertThat(first.fired())
                .extracting(f -> f.policy().getId())
                .containsExactly("strong-sign", "circle-and-warning");
        List<MatchedLabel> matched = first.fired().get(1).matched();
        assertThat(matched).extracting(MatchedLabel::getLabelId).containsExactly("shape.circle", "signs.warning");
        assertThat(matched.get(0).getThreshold()).isEqualTo(0.2f);
        assertThat(matched.get(1).getThreshold()).isEqualTo(0.5f);
        // the skull scores 0.8, under strong-sign's 0.9, so only the skull policy fires for (1,0)
        assertThat(verdicts.get(1).fired()).extracting(f -> f.policy().getId()).containsExactly("skull");
    }

    @Test
    void anImageMatchingNothingHasNoFlags() {
        ImageVerdict verdict = set.score(new float[][] {{-1f, 0f}}).get(0);
        assertThat(verdict.tags()).extracting(Tag::getLabelId).containsExactly("shape.square");
        assertThat(verdict.fired()).isEmpty();
    }

    @Test
    void embeddingsOfAnotherWidthAreRefused() {
        assertThatThrownBy(() -> set.cosines(new float[][] {{1f, 0f, 0f}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("image embedding has 3 dimensions, label set paper has 2");
    }

    @Test
    void avroRoundTripKeepsEveryField() throws Exception {
        io.clipstream.schema.GeneratedClasses.trust();
        LabelSet original = LabelSetFixtures.paperSet("7", "sha256:abc");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(LabelSet.class).write(original, encoder);
        encoder.flush();
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null);
        LabelSet copy = new SpecificDatumReader<>(LabelSet.class).read(null, decoder);
        assertThat(copy).isEqualTo(original);
        assertThat(CompiledLabelSet.of(copy).score(new float[][] {{0.8f, 0.6f}}))
                .isEqualTo(CompiledLabelSet.of(original).score(new float[][] {{0.8f, 0.6f}}));
    }

    @Test
    void cosinesAreBitForBitThePlainDotProductInDimensionOrder() {
        java.util.Random random = new java.util.Random(7);
        int dimension = 512;
        int labels = 47;
        List<io.clipstream.schema.CompiledLabel> compiled = new java.util.ArrayList<>();
        float[][] label = new float[labels][dimension];
        for (int l = 0; l < labels; l++) {
            List<Float> values = new java.util.ArrayList<>();
            for (int d = 0; d < dimension; d++) {
                label[l][d] = (float) random.nextGaussian() / 22f;
                values.add(label[l][d]);
            }
            compiled.add(io.clipstream.schema.CompiledLabel.newBuilder()
                    .setId("g.l" + l)
                    .setDisplayName("l" + l)
                    .setGroup("g")
                    .setThreshold(0.1f)
                    .setEmbedding(values)
                    .build());
        }
        LabelSet set = LabelSet.newBuilder()
                .setName("bits")
                .setVersion("1")
                .setModelId("m")
                .setModelFingerprint("sha256:m")
                .setDimension(dimension)
                .setGroups(List.of(io.clipstream.schema.LabelGroup.newBuilder()
                        .setName("g")
                        .setScoring(io.clipstream.schema.GroupScoring.THRESHOLD)
                        .build()))
                .setLabels(compiled)
                .setPolicies(List.of())
                .setCompiledAt(java.time.Instant.EPOCH)
                .build();
        float[][] images = new float[300][dimension];
        for (float[] image : images) {
            for (int d = 0; d < dimension; d++) {
                image[d] = (float) random.nextGaussian() / 22f;
            }
        }
        float[] cosines = CompiledLabelSet.of(set).cosines(images);
        for (int n = 0; n < images.length; n++) {
            for (int l = 0; l < labels; l++) {
                float sum = 0;
                for (int d = 0; d < dimension; d++) {
                    sum += images[n][d] * label[l][d];
                }
                assertThat(Float.floatToRawIntBits(cosines[n * labels + l]))
                        .as("image %d label %d", n, l)
                        .isEqualTo(Float.floatToRawIntBits(sum));
            }
        }
    }
}
