package io.clipstream.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Small cases whose expected values were computed with Pillow 9.4 (and checked by hand where noted). */
class PilResamplerTest {

    private static int[] resizeGrey(int[] values, int w, int h, int outW, int outH, Interpolation f) {
        byte[] src = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            src[i] = (byte) values[i];
        }
        byte[] out = PilResampler.resize8(src, w, h, 1, outW, outH, new PilResampler.Crop(0, 0, outW, outH), f);
        int[] res = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            res[i] = out[i] & 0xFF;
        }
        return res;
    }

    @Test
    void bilinearHalvingUsesTheWidenedTriangleFilter() {
        // scale 2: support 2, output 0 reads inputs 0..2 with weights 3/7, 3/7, 1/7 -> (0*3 + 70*3 + 140)/7 = 50
        PilResampler.Coefficients c = PilResampler.computeCoefficients(4, 2, Interpolation.BILINEAR);
        assertThat(c.ksize()).isEqualTo(5);
        assertThat(c.bounds()).containsExactly(0, 3, 1, 3);
        assertThat(c.weights()[0]).isEqualTo(3.0 / 7.0, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(c.fixed()[0]).isEqualTo(1797559);
        assertThat(c.fixed()[2]).isEqualTo(599186);
        assertThat(resizeGrey(new int[] {0, 70, 140, 210}, 4, 1, 2, 1, Interpolation.BILINEAR))
                .containsExactly(50, 160);
    }

    @Test
    void bicubicUpscaleOvershootIsClipped() {
        assertThat(resizeGrey(new int[] {0, 255, 0, 255}, 4, 1, 8, 1, Interpolation.BICUBIC))
                .containsExactly(0, 54, 216, 215, 40, 39, 201, 255);
    }

    @Test
    void bicubicTwoPassMatchesPillow() {
        int[] src = {10, 200, 30, 90, 250, 0, 128, 64, 5};
        assertThat(resizeGrey(src, 3, 3, 2, 2, Interpolation.BICUBIC)).containsExactly(110, 99, 128, 48);
        assertThat(resizeGrey(src, 3, 3, 5, 4, Interpolation.BICUBIC))
                .containsExactly(0, 80, 197, 98, 18, 45, 133, 244, 101, 6, 104, 144, 184, 68, 0, 136, 105, 54, 19, 1);
    }

    @Test
    void cropOfTheOutputEqualsTheSameRegionOfTheFullOutput() {
        int[] src = {10, 200, 30, 90, 250, 0, 128, 64, 5};
        byte[] s = new byte[src.length];
        for (int i = 0; i < src.length; i++) {
            s[i] = (byte) src[i];
        }
        byte[] crop = PilResampler.resize8(s, 3, 3, 1, 5, 4, new PilResampler.Crop(1, 2, 3, 2), Interpolation.BICUBIC);
        // rows 2..3, columns 1..3 of the full 5x4 result above
        assertThat(crop).containsExactly((byte) 144, (byte) 184, (byte) 68, (byte) 105, (byte) 54, (byte) 19);
    }

    @Test
    void unchangedSizeIsACopy() {
        assertThat(resizeGrey(new int[] {1, 2, 3, 4, 5, 6}, 3, 2, 3, 2, Interpolation.BICUBIC))
                .containsExactly(1, 2, 3, 4, 5, 6);
    }

    @Test
    void rgbChannelsAreIndependent() {
        byte[] rgb = {0, 10, (byte) 255, 70, 10, (byte) 255, (byte) 140, 10, (byte) 255, (byte) 210, 10, (byte) 255};
        byte[] out =
                PilResampler.resize8(rgb, 4, 1, 3, 2, 1, new PilResampler.Crop(0, 0, 2, 1), Interpolation.BILINEAR);
        assertThat(out).containsExactly(50, 10, (byte) 255, (byte) 160, 10, (byte) 255);
    }

    @Test
    void mode32BitUsesDoubleArithmeticAndRoundsHalfAwayFromZero() {
        int[] out = PilResampler.resize32(
                new int[] {0, 1023, 256}, 3, 1, 5, 1, new PilResampler.Crop(0, 0, 5, 1), Interpolation.BICUBIC);
        assertThat(out).containsExactly(-77, 393, 1023, 571, 198);
        assertThat(PilColorConversions.intGreyToRgb(out))
                .containsExactly(0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, (byte) 198, (byte) 198, (byte) 198);
    }

    @Test
    void pillowColourConversions() {
        // values checked against Image.frombytes("CMYK", ...).convert("RGB") in Pillow 9.4
        byte[] cmyk = {
            10, 20, 30, 40, (byte) 200, 100, 50, 100, (byte) 255, (byte) 255, (byte) 255, (byte) 255, 0, 0, 0, 0
        };
        assertThat(PilColorConversions.cmykToRgb(cmyk))
                .containsExactly(
                        (byte) 207, (byte) 198, (byte) 190, 33, 94, 125, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255);
        byte[] rgba = {(byte) 200, 100, 0, (byte) 128, 50, 60, 70, 0, 1, 2, 3, (byte) 255};
        PilColorConversions.premultiply(rgba, 4);
        assertThat(rgba).containsExactly(100, 50, 0, (byte) 128, 0, 0, 0, 0, 1, 2, 3, (byte) 255);
        PilColorConversions.unpremultiply(rgba, 4);
        assertThat(rgba).containsExactly((byte) 199, 99, 0, (byte) 128, 0, 0, 0, 0, 1, 2, 3, (byte) 255);
    }
}
