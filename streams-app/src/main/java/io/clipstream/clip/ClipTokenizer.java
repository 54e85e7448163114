package io.clipstream.clip;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * OpenAI's {@code clip.tokenize(text, truncate=True)}, id for id, on a Hugging Face {@code tokenizer.json}: HTML
 * unescaped twice and stripped (OpenAI's {@code basic_clean}), whitespace collapsed, lower-cased, byte-level BPE
 * with {@code </w>}, wrapped in start and end tokens, truncated to the context length with the end token kept last,
 * and zero-padded.
 *
 * <p>OpenAI's {@code basic_clean} also runs {@code ftfy.fix_text}, which repairs mojibake; that is not reproduced,
 * so texts that ftfy would rewrite (mis-decoded UTF-8, curly-quote repairs) can tokenise differently.
 *
 * <p>Thread-safe. The native tokenizer is closed exactly once by {@link #close()}.
 */
public final class ClipTokenizer implements AutoCloseable {

    /** OpenAI's {@code <|startoftext|>} id. */
    public static final int OPENAI_START_OF_TEXT = 49406;
    /** OpenAI's {@code <|endoftext|>} id. */
    public static final int OPENAI_END_OF_TEXT = 49407;

    private static final String START_TOKEN = "<|startoftext|>";
    private static final String END_TOKEN = "<|endoftext|>";

    private final HuggingFaceTokenizer tokenizer;
    private final int contextLength;
    private final int startId;
    private final int endId;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Token ids of one text: {@code ids} has the full context length, {@code length} counts the real tokens. */
    public record Tokens(int[] ids, int length) {}

    private ClipTokenizer(HuggingFaceTokenizer tokenizer, int contextLength, int startId, int endId) {
        this.tokenizer = tokenizer;
        this.contextLength = contextLength;
        this.startId = startId;
        this.endId = endId;
    }

    /**
     * Loads {@code tokenizer.json} from a local path (never a hub id).
     *
     * @throws ModelLoadException when the file is missing, unreadable or lacks CLIP's start and end tokens
     */
    public static ClipTokenizer load(Path tokenizerJson, int contextLength) {
        if (contextLength < 2) {
            throw new IllegalArgumentException("context length must be >= 2, found " + contextLength);
        }
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelLoadException("tokenizer " + tokenizerJson + " does not exist");
        }
        int[] special = specialIds(tokenizerJson);
        NativeLibraries.configureDjl();
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(
                    tokenizerJson,
                    Map.of(
                            "addSpecialTokens",
                            "false",
                            "truncation",
                            "false",
                            "padding",
                            "false",
                            "modelMaxLength",
                            Integer.toString(Integer.MAX_VALUE)));
            return new ClipTokenizer(tokenizer, contextLength, special[0], special[1]);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("tokenizer " + tokenizerJson + " cannot be loaded: " + e.getMessage(), e);
        }
    }

    private static int[] specialIds(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException("tokenizer " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        int start = -1;
        int end = -1;
        for (JsonNode token : root.path("added_tokens")) {
            if (START_TOKEN.equals(token.path("content").asText())) {
                start = token.path("id").asInt();
            } else if (END_TOKEN.equals(token.path("content").asText())) {
                end = token.path("id").asInt();
            }
        }
        JsonNode vocab = root.path("model").path("vocab");
        if (start < 0 && vocab.has(START_TOKEN)) {
            start = vocab.get(START_TOKEN).asInt();
        }
        if (end < 0 && vocab.has(END_TOKEN)) {
            end = vocab.get(END_TOKEN).asInt();
        }
        if (start < 0 || end < 0) {
            throw new ModelLoadException("tokenizer " + file + " has no " + START_TOKEN + " / " + END_TOKEN
                    + " tokens: not a CLIP tokenizer");
        }
        return new int[] {start, end};
    }

    /** The context length every id array is padded or truncated to. */
    public int contextLength() {
        return contextLength;
    }

    /** The id of {@code <|startoftext|>}. */
    public int startId() {
        return startId;
    }

    /** The id of {@code <|endoftext|>}. */
    public int endId() {
        return endId;
    }

    /** Tokenizes one text as {@code clip.tokenize(text, truncate=True)} does. */
    public Tokens tokenize(String text) {
        if (closed.get()) {
            throw new IllegalStateException("tokenizer is closed");
        }
        String cleaned = limitWords(clean(text), contextLength);
        Encoding encoding = tokenizer.encode(cleaned, false, false);
        long[] bpe = encoding.getIds();
        int body = Math.min(bpe.length, contextLength - 2);
        int[] ids = new int[contextLength];
        ids[0] = startId;
        for (int i = 0; i < body; i++) {
            ids[i + 1] = Math.toIntExact(bpe[i]);
        }
        ids[body + 1] = endId;
        return new Tokens(ids, body + 2);
    }

    /** Tokenizes each text. */
    public List<Tokens> tokenize(List<String> texts) {
        List<Tokens> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(tokenize(text));
        }
        return out;
    }

    /**
     * OpenAI's cleaning: {@code html.unescape(html.unescape(text)).strip()}, whitespace runs to one space, strip,
     * lower case.
     */
    static String clean(String text) {
        String s = pythonStrip(HtmlUnescaper.unescape(HtmlUnescaper.unescape(text)));
        StringBuilder out = new StringBuilder(s.length());
        boolean inSpace = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isPythonWhitespace(cp)) {
                inSpace = true;
                continue;
            }
            if (inSpace && out.length() > 0) {
                out.append(' ');
            }
            inSpace = false;
            out.appendCodePoint(cp);
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }

    /**
     * Keeps the first {@code words} space-separated words of a cleaned text when it is long: every word yields at
     * least one token and BPE never crosses a space, so the first {@code words} tokens are unchanged, and a huge
     * text costs no more than a short one.
     */
    private static String limitWords(String cleaned, int words) {
        if (cleaned.length() <= 4096) {
            return cleaned;
        }
        int seen = 0;
        for (int i = 0; i < cleaned.length(); i++) {
            if (cleaned.charAt(i) == ' ' && ++seen == words) {
                return cleaned.substring(0, i);
            }
        }
        return cleaned;
    }

    private static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonWhitespace(s.codePointAt(start))) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (end > start && isPythonWhitespace(s.codePointBefore(end))) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    /** Python's {@code str.isspace} (also what {@code \s} matches in Python's {@code re}). */
    static boolean isPythonWhitespace(int cp) {
        if (cp >= 0x1c && cp <= 0x1f) {
            return true;
        }
        byte dir = Character.getDirectionality(cp);
        return Character.getType(cp) == Character.SPACE_SEPARATOR
                || dir == Character.DIRECTIONALITY_WHITESPACE
                || dir == Character.DIRECTIONALITY_PARAGRAPH_SEPARATOR
                || dir == Character.DIRECTIONALITY_SEGMENT_SEPARATOR;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            tokenizer.close();
        }
    }
}
