package io.clipstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.clipstream.banks.BankFixtures;
import io.clipstream.clip.TestModels;
import io.clipstream.embedded.EmbeddedKafkaBroker;
import io.clipstream.registry.InMemorySchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The banks commands against a real broker: configure, add, import, list, export, match, remove. */
class BanksCommandIT {

    @TempDir
    Path dir;

    private static Path referenceImage(String name) {
        return TestModels.committed("reference-images").resolve(name);
    }

    @Test
    void aBankIsBuiltListedExportedMatchedAndEmptied() throws Exception {
        Path model = TestModels.copy("tiny-vit-openclip", dir);
        String astronaut = referenceImage("astronaut.jpg").toString();
        String chelsea = referenceImage("chelsea.png").toString();
        String coffee = referenceImage("coffee-portrait.jpg").toString();
        String chelseaHash =
                BankFixtures.pdq(Files.readAllBytes(Path.of(chelsea))).hash().toHex();
        Path list = Files.writeString(dir.resolve("partner.csv"), "hash,quality,id\n" + chelseaHash + ",90,cat-7\n");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            List<String> kafka =
                    List.of("--bootstrap-servers", broker.bootstrapServers(), "--schema-registry", "mock://banks-cli");
            CliRun configure =
                    run(kafka, "banks", "configure", "--bank", "known", "--action", "block", "--severity", "high");
            assertThat(configure.exit()).as(configure.err()).isZero();
            CliRun add = run(
                    kafka,
                    "banks",
                    "add",
                    "--bank",
                    "known",
                    "--model",
                    model.toString(),
                    "--item-id",
                    "astro-1",
                    "--reason",
                    "test",
                    astronaut);
            assertThat(add.exit()).as(add.err()).isZero();
            assertThat(add.lines().get(0).path("itemId").asText()).isEqualTo("astro-1");
            assertThat(add.lines().get(0).path("embedded").asBoolean()).isTrue();
            CliRun imported = run(kafka, "banks", "import", "--bank", "known", list.toString());
            assertThat(imported.exit()).as(imported.err()).isZero();
            assertThat(imported.lines().get(0).path("imported").asInt()).isEqualTo(1);

            CliRun listed = run(kafka, "banks", "list");
            assertThat(listed.lines()).hasSize(1);
            assertThat(listed.lines().get(0).path("bank").asText()).isEqualTo("known");
            assertThat(listed.lines().get(0).path("items").asInt()).isEqualTo(2);
            assertThat(listed.lines().get(0).path("withEmbedding").asInt()).isEqualTo(1);
            assertThat(listed.lines().get(0).path("settings").path("action").asText())
                    .isEqualTo("BLOCK");

            CliRun exported = run(kafka, "banks", "export", "--bank", "known");
            assertThat(exported.out().split("\n"))
                    .containsExactly(
                            "hash,quality,id",
                            add.lines().get(0).path("pdq").asText() + ","
                                    + add.lines().get(0).path("quality").asInt() + ",astro-1",
                            chelseaHash + ",90,cat-7");

            CliRun matched =
                    run(kafka, "banks", "match", "--model", model.toString(), "--image", astronaut, chelsea, coffee);
            assertThat(matched.exit()).as(matched.err()).isZero();
            List<JsonNode> lines = matched.lines();
            JsonNode first = lines.get(0).path("bankMatches").get(0);
            assertThat(first.path("itemId").asText()).isEqualTo("astro-1");
            assertThat(first.path("signal").asText()).isEqualTo("PDQ");
            assertThat(first.path("pdqDistance").asInt()).isZero();
            assertThat(first.path("clipSimilarity").floatValue()).isGreaterThan(0.999f);
            assertThat(lines.get(0).path("flags").get(0).path("policyId").asText())
                    .isEqualTo("bank:known");
            assertThat(lines.get(0).path("flags").get(0).path("bankMatch")).isEqualTo(first);
            assertThat(lines.get(1).path("bankMatches").get(0).path("itemId").asText())
                    .isEqualTo("cat-7");
            assertThat(lines.get(2).path("bankMatches")).isEmpty();
            assertThat(lines.get(2).path("flags")).isEmpty();

            CliRun removed = run(kafka, "banks", "remove", "--bank", "known", "--item-id", "astro-1");
            assertThat(removed.lines().get(0).path("removed").asInt()).isEqualTo(1);
            CliRun after = run(kafka, "banks", "match", "--model", model.toString(), "--image", astronaut);
            assertThat(after.lines().get(0).path("bankMatches")).isEmpty();

            CliRun all = run(kafka, "banks", "remove", "--bank", "known", "--all");
            assertThat(all.lines().get(0).path("removed").asInt()).isEqualTo(2);
            assertThat(run(kafka, "banks", "list").out()).isEmpty();
        } finally {
            InMemorySchemaRegistry.drop("banks-cli");
        }
    }

    @Test
    void aMalformedHashListImportsNothingAndNamesTheLine() throws Exception {
        Path list = Files.writeString(dir.resolve("bad.txt"), "abc\n");
        CliRun r = CliRun.of(
                "banks",
                "import",
                "--bank",
                "known",
                "--bootstrap-servers",
                "127.0.0.1:1",
                "--schema-registry",
                "mock://x",
                list.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .isEqualTo("clipstream: " + list + " line 1: a PDQ hash is 64 hex digits, got 3"
                        + " characters: 'abc'; nothing was imported\n");
    }

    private static CliRun run(List<String> kafka, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(kafka);
        return CliRun.of(all.toArray(String[]::new));
    }
}
