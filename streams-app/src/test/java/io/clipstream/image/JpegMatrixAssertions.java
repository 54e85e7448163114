package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;

/** The exactness bar of issue 16: decoded samples and crop identical to Pillow's, tensor bit-identical. */
final class JpegMatrixAssertions {
    private JpegMatrixAssertions() {}

    static void assertDecodedLikePillow(JpegMatrix.Fixture f, DecodedImage d) {
        assertThat(d.mode().name()).as("PIL mode of %s", f).isEqualTo(f.mode());
        assertThat(d.width() + "x" + d.height()).as("size of %s", f).isEqualTo(f.width() + "x" + f.height());
        assertThat(JpegMatrix.sha256(d.bytes()))
                .as("SHA-256 of every decoded sample of %s", f)
                .isEqualTo(f.decodedSha256());
    }

    static void assertPreprocessedLikeTorchvision(JpegMatrix.Fixture f, ImagePreprocessor pre, RgbImage crop) {
        assertThat(crop.width()).isEqualTo(f.size());
        assertThat(crop.height()).isEqualTo(f.size());
        if (f.crop() != null) {
            RgbImage expected = ImageFixtures.referenceCrop(f.crop());
            assertThat(ImageFixtures.maxAbsDiff(crop.pixels(), expected.pixels()))
                    .as("max u8 diff of %s", f)
                    .isZero();
        }
        assertThat(JpegMatrix.sha256(crop.pixels()))
                .as("SHA-256 of the uint8 crop of %s", f)
                .isEqualTo(f.cropSha256());
        float[] tensor = new float[3 * f.size() * f.size()];
        pre.writeNormalized(crop, FloatBuffer.wrap(tensor));
        if (f.tensor() != null) {
            float[] expected = ImageFixtures.referenceTensor(f.tensor());
            double max = 0;
            for (int i = 0; i < tensor.length; i++) {
                max = Math.max(max, Math.abs(tensor[i] - expected[i]));
            }
            assertThat(max).as("max float diff of %s", f).isLessThanOrEqualTo(1e-6);
        }
        assertThat(JpegMatrix.sha256(JpegMatrix.littleEndian(tensor)))
                .as("SHA-256 of the float32 tensor of %s", f)
                .isEqualTo(f.tensorSha256());
    }
}
