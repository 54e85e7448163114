package io.clipstream.review;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.registry.InMemorySchemaRegistry;
import io.clipstream.schema.MatchedLabel;
import io.clipstream.schema.PolicyAction;
import io.clipstream.schema.PolicyFlag;
import io.clipstream.schema.ReviewDecision;
import io.clipstream.schema.ReviewItem;
import io.clipstream.schema.ReviewVerdict;
import io.clipstream.schema.Severity;
import io.clipstream.topology.Topics;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Review items and decisions for tests. */
final class ReviewFixtures {

    static final Instant START = Instant.parse("2026-12-01T12:00:00Z");

    private ReviewFixtures() {}

    static Topics topics(String scope) {
        ClipStreamConfig config = ClipStreamConfig.of(Map.of("schema.registry.url", "mock://" + scope));
        return Topics.of(config, InMemorySchemaRegistry.scope(scope));
    }

    static ReviewDecision decision(
            String eventId,
            String policy,
            ReviewVerdict verdict,
            int revision,
            String version,
            Instant at,
            float score) {
        return ReviewDecision.newBuilder()
                .setEventId(eventId)
                .setPolicyId(policy)
                .setDecision(verdict)
                .setReviewer("mia")
                .setDecidedAt(at)
                .setLabelSetName("demo")
                .setLabelSetVersion(version)
                .setRevision(revision)
                .setModelId("tiny-vit")
                .setMatched(List.of(new MatchedLabel("nsfw.x", score, 0.2f)))
                .build();
    }

    static PolicyFlag flag(String eventId, String policy, Severity severity, float score) {
        return PolicyFlag.newBuilder()
                .setEventId(eventId)
                .setPolicyId(policy)
                .setAction(PolicyAction.REVIEW)
                .setSeverity(severity)
                .setMatched(List.of(new MatchedLabel("nsfw.x", score, 0.2f)))
                .setModelId("tiny-vit")
                .setLabelSetName("demo")
                .setLabelSetVersion("3")
                .setDecidedAt(START)
                .build();
    }

    static ReviewItem item(String eventId, String source, Instant created, PolicyFlag... flags) {
        return ReviewItem.newBuilder()
                .setEventId(eventId)
                .setSource(source)
                .setAttributes(Map.of())
                .setOccurredAt(created)
                .setThumbnail(ByteBuffer.wrap(Thumbnails.of(new io.clipstream.image.RgbImage(2, 2, new byte[12]))
                        .jpeg()))
                .setThumbnailWidth(2)
                .setThumbnailHeight(2)
                .setFlags(List.of(flags))
                .setModelId("tiny-vit")
                .setCreatedAt(created)
                .build();
    }
}
