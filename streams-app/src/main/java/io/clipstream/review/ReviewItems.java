package io.clipstream.review;

import io.clipstream.image.RgbImage;
import io.clipstream.schema.ImageEvent;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.ReviewItem;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;

/** Builds the review item of a flagged event from what the processor already has: pixels, event, flags. */
public final class ReviewItems {

    private ReviewItems() {}

    /**
     * The review item of {@code event}.
     *
     * @param pixels the pixels the processor decoded for the model
     * @param flags every flag raised for the event (not empty)
     */
    public static ReviewItem of(
            ImageEvent event, RgbImage pixels, List<PolicyFlag> flags, String modelId, Instant now) {
        Thumbnails.Thumbnail thumbnail = Thumbnails.of(pixels);
        return ReviewItem.newBuilder()
                .setEventId(event.getEventId())
                .setSource(event.getSource())
                .setAttributes(new HashMap<>(event.getAttributes()))
                .setOccurredAt(event.getOccurredAt())
                .setThumbnail(ByteBuffer.wrap(thumbnail.jpeg()))
                .setThumbnailWidth(thumbnail.width())
                .setThumbnailHeight(thumbnail.height())
                .setFlags(List.copyOf(flags))
                .setModelId(modelId)
                .setCreatedAt(now)
                .build();
    }
}
