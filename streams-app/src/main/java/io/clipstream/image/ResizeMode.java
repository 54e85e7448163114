package io.clipstream.image;

import java.util.Locale;

/** How the decoded image is brought to the square model input size. */
public enum ResizeMode {
    /**
     * OpenAI CLIP's default: torchvision {@code Resize(size)} scales the shortest side to {@code size}
     * (the long side becomes {@code int(size * long / short)}), then {@code CenterCrop(size)}.
     */
    SHORTEST,
    /** open_clip's {@code resize_mode: squash}: both sides are resized to {@code size}, aspect ratio is not kept, no crop. */
    SQUASH;

    /**
     * Parses {@code "shortest"} or {@code "squash"} (case-insensitive).
     *
     * @throws IllegalArgumentException for any other value
     */
    public static ResizeMode parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("resize mode must not be null; expected \"shortest\" or \"squash\"");
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "shortest" -> SHORTEST;
            case "squash" -> SQUASH;
            default ->
                throw new IllegalArgumentException(
                        "unsupported resize mode \"" + s + "\"; expected \"shortest\" or \"squash\"");
        };
    }
}
