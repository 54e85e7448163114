package io.clipstream.image;

import java.util.Locale;
import java.util.Objects;

/**
 * How JPEGs are decoded: which decoder ({@link Choice}) and whether the opt-in draft mode is on.
 *
 * <p>Both decoders give Pillow's samples exactly. Draft mode lets libjpeg-turbo decode at 1/2, 1/4 or 1/8 of
 * the size when the short side stays at least twice the model's input, which is several times faster but
 * <b>is not OpenAI's preprocessing</b>: the crop differs from Pillow's by a few grey levels (the embeddings stay
 * close, see docs/benchmarks.md). Draft needs the native decoder; with ImageIO it has no effect.
 *
 * @param choice the decoder setting
 * @param draft  whether reduced-size JPEG decoding is allowed
 */
public record JpegDecoding(Choice choice, boolean draft) {

    /** The {@code preprocess.jpeg.decoder} setting. */
    public enum Choice {
        /** libjpeg-turbo when {@code libturbojpeg.so.0} loads, ImageIO otherwise. */
        AUTO,
        /** libjpeg-turbo, and fail at start-up when it cannot be loaded. */
        TURBOJPEG,
        /** The JDK's ImageIO reader only (pure Java, always available). */
        IMAGEIO;

        /** Parses {@code auto}, {@code turbojpeg} or {@code imageio}, any case. */
        public static Choice parse(String value) {
            for (Choice c : values()) {
                if (c.name().equalsIgnoreCase(String.valueOf(value).trim())) {
                    return c;
                }
            }
            throw new IllegalArgumentException(
                    "unknown JPEG decoder \"" + value + "\"; expected auto, turbojpeg or imageio");
        }
    }

    /** The default: the fastest exact decoder available, no draft. */
    public static final JpegDecoding DEFAULT = new JpegDecoding(Choice.AUTO, false);

    /** Validates the components. */
    public JpegDecoding {
        Objects.requireNonNull(choice, "choice");
    }

    /**
     * Checks that the chosen decoder can run.
     *
     * @throws IllegalStateException naming the setting when {@code turbojpeg} is required but not loadable
     */
    public JpegDecoding requireAvailable(String settingName) {
        if (choice == Choice.TURBOJPEG && !TurboJpegDecoder.available()) {
            throw new IllegalStateException(settingName + " is turbojpeg but " + TurboJpegDecoder.describe()
                    + " (install libturbojpeg0, or set it to auto or imageio)");
        }
        return this;
    }

    /** Whether JPEGs go to libjpeg-turbo. */
    public boolean usesTurboJpeg() {
        return choice != Choice.IMAGEIO && TurboJpegDecoder.available();
    }

    /** Whether draft decoding actually happens (on, and the native decoder in use). */
    public boolean draftActive() {
        return draft && usesTurboJpeg();
    }

    /** {@code turbojpeg} or {@code imageio}: the decoder in use, for logs and metric tags. */
    public String decoderName() {
        return usesTurboJpeg() ? "turbojpeg" : "imageio";
    }

    /**
     * The reduction draft mode applies to a {@code width}×{@code height} JPEG: the largest of 8, 4, 2 that keeps
     * the short side at least {@code minSide}, else 1.
     */
    public static int draftDenominator(int width, int height, int minSide) {
        return TurboJpegDecoder.draftDenominator(width, height, minSide);
    }

    /** One line for the start-up log. */
    public String describe() {
        String decoder = usesTurboJpeg()
                ? TurboJpegDecoder.describe()
                : "JDK ImageIO" + (choice == Choice.AUTO ? " (" + TurboJpegDecoder.describe() + ")" : "");
        String mode = draftActive()
                ? "draft (reduced-size decode, not OpenAI's preprocessing)"
                : draft ? "exact (draft needs libturbojpeg)" : "exact";
        return String.format(Locale.ROOT, "JPEG decoder: %s, %s", decoder, mode);
    }
}
