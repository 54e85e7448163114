package io.clipstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The instance id: the stream threads' group.instance.id, and stable transactional ids. */
class StaticMembershipTest {

    @Test
    void anInstanceIdIsTheMainConsumersGroupInstanceIdAndBlankMeansDynamicMembership() {
        assertThat(StaticMembership.consumerSettings(" clipstream-0 "))
                .isEqualTo(Map.of("main.consumer.group.instance.id", "clipstream-0"));
        assertThat(StaticMembership.consumerSettings("")).isEmpty();
    }

    @Test
    void theRandomProcessIdInATransactionalIdIsReplacedByTheInstanceId() {
        Map<String, Object> config =
                Map.of("transactional.id", "clipstream-8f14e45f-ceea-467f-a0e6-0b1e5c4a3d21-3", "acks", "all");
        assertThat(StaticMembership.stableTransactionalId(config, "clipstream", "clipstream-0"))
                .isEqualTo(Map.of("transactional.id", "clipstream-clipstream-0-3", "acks", "all"));
        assertThat(StaticMembership.stableTransactionalId(config, "clipstream", ""))
                .isSameAs(config);
        Map<String, Object> atLeastOnce = Map.of("acks", "all");
        assertThat(StaticMembership.stableTransactionalId(atLeastOnce, "clipstream", "clipstream-0"))
                .isSameAs(atLeastOnce);
    }
}
