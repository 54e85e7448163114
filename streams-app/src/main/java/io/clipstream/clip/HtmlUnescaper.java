package io.clipstream.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code html.unescape}, character for character, as OpenAI's CLIP tokenizer applies it: numeric
 * references with the HTML5 replacements for invalid code points, and the 2,231 HTML5 named references including
 * the legacy ones accepted without a semicolon (longest prefix wins).
 */
final class HtmlUnescaper {

    private static final Pattern CHARREF =
            Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");
    private static final Map<String, String> NAMED = loadNamed();
    private static final Map<Integer, Integer> INVALID_CHARREFS = invalidCharrefs();

    private HtmlUnescaper() {}

    /** Replaces every character reference in {@code s} as {@code html.unescape} does. */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = CHARREF.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replace(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.charAt(1) == 'x' || ref.charAt(1) == 'X';
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) {
                digits = digits.substring(0, digits.length() - 1);
            }
            long num = parseBounded(digits, hex ? 16 : 10);
            Integer replacement = INVALID_CHARREFS.get((int) Math.min(num, Integer.MAX_VALUE));
            if (num <= 0x9f && replacement != null) {
                return new String(Character.toChars(replacement));
            }
            if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) {
                return "\uFFFD";
            }
            if (invalidCodePoint((int) num)) {
                return "";
            }
            return new String(Character.toChars((int) num));
        }
        String named = NAMED.get(ref);
        if (named != null) {
            return named;
        }
        for (int x = ref.length() - 1; x > 1; x--) {
            String prefix = NAMED.get(ref.substring(0, x));
            if (prefix != null) {
                return prefix + ref.substring(x);
            }
        }
        return "&" + ref;
    }

    /** Parses digits, saturating above 0x10FFFF (Python's big integers only matter as "too large" there). */
    private static long parseBounded(String digits, int radix) {
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            value = value * radix + Character.digit(digits.charAt(i), radix);
            if (value > 0x10FFFF) {
                return 0x110000;
            }
        }
        return value;
    }

    private static boolean invalidCodePoint(int cp) {
        return (cp >= 0x1 && cp <= 0x8)
                || cp == 0xb
                || (cp >= 0xe && cp <= 0x1f)
                || (cp >= 0x7f && cp <= 0x9f)
                || (cp >= 0xfdd0 && cp <= 0xfdef)
                || (cp & 0xfffe) == 0xfffe;
    }

    private static Map<Integer, Integer> invalidCharrefs() {
        int[] pairs = {
            0x00, 0xfffd, 0x0d, 0x0d, 0x80, 0x20ac, 0x81, 0x81, 0x82, 0x201a, 0x83, 0x192, 0x84, 0x201e,
            0x85, 0x2026, 0x86, 0x2020, 0x87, 0x2021, 0x88, 0x2c6, 0x89, 0x2030, 0x8a, 0x160, 0x8b, 0x2039,
            0x8c, 0x152, 0x8d, 0x8d, 0x8e, 0x17d, 0x8f, 0x8f, 0x90, 0x90, 0x91, 0x2018, 0x92, 0x2019,
            0x93, 0x201c, 0x94, 0x201d, 0x95, 0x2022, 0x96, 0x2013, 0x97, 0x2014, 0x98, 0x2dc, 0x99, 0x2122,
            0x9a, 0x161, 0x9b, 0x203a, 0x9c, 0x153, 0x9d, 0x9d, 0x9e, 0x17e, 0x9f, 0x178,
        };
        Map<Integer, Integer> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private static Map<String, String> loadNamed() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = HtmlUnescaper.class.getResourceAsStream("html5-entities.tsv")) {
            if (in == null) {
                throw new IllegalStateException("html5-entities.tsv is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                int tab = line.indexOf('\t');
                StringBuilder value = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) {
                    value.appendCodePoint(Integer.parseInt(hex, 16));
                }
                map.put(line.substring(0, tab), value.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return map;
    }
}
