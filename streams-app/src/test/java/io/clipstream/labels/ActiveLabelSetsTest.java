package io.clipstream.labels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ActiveLabelSetsTest {

    @Test
    void aNewVersionReplacesTheOldOne() {
        ActiveLabelSets active = new ActiveLabelSets("sha256:model");
        assertThat(active.offer(LabelSetFixtures.paperSet("1", "sha256:model")))
                .isInstanceOf(ActiveLabelSets.Accepted.class);
        active.offer(LabelSetFixtures.paperSet("2", "sha256:model"));
        assertThat(active.get("paper"))
                .hasValueSatisfying(s -> assertThat(s.version()).isEqualTo("2"));
        assertThat(active.snapshot()).hasSize(1);
    }

    @Test
    void aSetCompiledForAnotherModelIsRefusedNamingBothAndThePreviousStays() {
        ActiveLabelSets active = new ActiveLabelSets("sha256:model");
        active.offer(LabelSetFixtures.paperSet("1", "sha256:model"));
        ActiveLabelSets.Update update = active.offer(LabelSetFixtures.paperSet("2", "sha256:other"));
        assertThat(update)
                .isEqualTo(new ActiveLabelSets.Refused(
                        "paper",
                        "label set paper version 2 was compiled"
                                + " for model sha256:other (test) but this processor runs sha256:model; recompile it with"
                                + " clipstream labels compile --model <this model>"));
        assertThat(active.get("paper"))
                .hasValueSatisfying(s -> assertThat(s.version()).isEqualTo("1"));
    }

    @Test
    void aSetOfAnotherEmbeddingWidthIsRefused() {
        ActiveLabelSets active = new ActiveLabelSets("sha256:model", 512);
        assertThat(active.offer(LabelSetFixtures.paperSet("1", "sha256:model")))
                .isEqualTo(new ActiveLabelSets.Refused(
                        "paper", "label set paper version 1 has 2-d embeddings but the model's" + " are 512-d"));
        assertThat(active.snapshot()).isEmpty();
    }

    @Test
    void removeDropsTheSet() {
        ActiveLabelSets active = new ActiveLabelSets("sha256:model");
        active.offer(LabelSetFixtures.paperSet("1", "sha256:model"));
        active.remove("paper");
        assertThat(active.get("paper")).isEmpty();
    }
}
