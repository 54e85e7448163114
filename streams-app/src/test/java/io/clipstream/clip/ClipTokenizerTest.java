package io.clipstream.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerTest {

    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = ClipTokenizer.load(SharedClipData.tokenizerJson(), 77);
    }

    @AfterAll
    static void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Test
    void everyGoldenCaseMatchesOpenAiClipTokenize() throws IOException {
        JsonNode golden = new ObjectMapper()
                .readTree(
                        SharedClipData.folder().resolve("tokenize-golden.json").toFile());
        List<String> mismatches = new ArrayList<>();
        int cases = 0;
        for (JsonNode c : golden.path("cases")) {
            cases++;
            int[] expected = new int[c.path("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.path("ids").get(i).asInt();
            }
            int[] actual = tokenizer.tokenize(c.path("text").asText()).ids();
            if (!java.util.Arrays.equals(expected, actual)) {
                mismatches.add(c.path("text").asText());
            }
        }
        System.out.printf("tokenizer golden cases matched: %d/%d%n", cases - mismatches.size(), cases);
        assertThat(cases).isGreaterThanOrEqualTo(30);
        assertThat(mismatches).isEmpty();
    }

    @Test
    void truncationKeepsTheEndTokenLastAndCountsLength() {
        ClipTokenizer.Tokens tokens = tokenizer.tokenize("word ".repeat(200));
        assertThat(tokens.length()).isEqualTo(77);
        assertThat(tokens.ids()[0]).isEqualTo(49406);
        assertThat(tokens.ids()[76]).isEqualTo(49407);
        assertThat(tokens.ids()[75]).isNotEqualTo(49407);
    }

    @Test
    void emptyTextIsStartAndEndThenZeros() {
        ClipTokenizer.Tokens tokens = tokenizer.tokenize("");
        assertThat(tokens.length()).isEqualTo(2);
        assertThat(tokens.ids()).startsWith(49406, 49407, 0, 0);
        assertThat(tokens.ids()).hasSize(77);
    }

    @Test
    void hugeTextCostsNoMoreThanTheContextNeeds() {
        String huge = "a cat ".repeat(200_000);
        ClipTokenizer.Tokens tokens = tokenizer.tokenize(huge);
        assertThat(tokens.ids())
                .isEqualTo(tokenizer.tokenize("a cat ".repeat(60)).ids());
    }

    @Test
    void cleaningUnescapesTwiceStripsCollapsesAndLowercases() {
        assertThat(ClipTokenizer.clean("  A&amp;amp;B \t\n C\u00a0 ")).isEqualTo("a&b c");
        assertThat(ClipTokenizer.clean("&lt;b&gt;Bold&lt;/b&gt;")).isEqualTo("<b>bold</b>");
    }

    @Test
    void customContextLengthTruncatesThere() {
        try (ClipTokenizer short16 = ClipTokenizer.load(SharedClipData.tokenizerJson(), 16)) {
            ClipTokenizer.Tokens tokens = short16.tokenize("one two three four five six seven eight nine ten "
                    + "eleven twelve thirteen fourteen fifteen sixteen");
            assertThat(tokens.ids()).hasSize(16);
            assertThat(tokens.ids()[15]).isEqualTo(49407);
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        ClipTokenizer t = ClipTokenizer.load(SharedClipData.tokenizerJson(), 77);
        t.close();
        t.close();
        assertThatThrownBy(() -> t.tokenize("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTokenizerWithoutClipSpecialTokensIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{\"added_tokens\": [], \"model\": {\"type\": \"BPE\", \"vocab\": {}}}");
        assertThatThrownBy(() -> ClipTokenizer.load(file, 77))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("tokenizer " + file + " has no <|startoftext|> / <|endoftext|> tokens: not a CLIP"
                        + " tokenizer");
    }

    @Test
    void aMissingTokenizerIsRefused(@TempDir Path dir) {
        Path file = dir.resolve("none.json");
        assertThatThrownBy(() -> ClipTokenizer.load(file, 77))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage("tokenizer " + file + " does not exist");
    }
}
