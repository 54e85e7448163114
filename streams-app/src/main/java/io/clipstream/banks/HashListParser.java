package io.clipstream.banks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clipstream.pdq.PdqHash;
import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads PDQ hash lists as partners send them, one hash per line, telling the format from the first line:
 * <ul>
 *   <li>plain hex: {@code <64 hex>} per line;</li>
 *   <li>CSV {@code hash,quality[,id]} (a header line starting {@code hash} is skipped);</li>
 *   <li>ThreatExchange exports: JSON lines with {@code td_raw_indicator} or {@code raw_indicator} (the hash), the
 *       descriptor {@code id}, and {@code td_indicator_type}/{@code type} (lines of types other than
 *       {@code HASH_PDQ}/{@code PDQ} are skipped); or CSV with a header naming {@code indicator} (and optionally
 *       {@code id}, {@code type}) columns.</li>
 * </ul>
 * Blank lines and {@code #} comments are skipped. Items without an id get {@code line-N}; without a quality, 100
 * (exports do not carry it; ThreatExchange only shares hashes of usable quality).
 */
public final class HashListParser {

    /** One parsed hash. */
    public record Entry(String id, PdqHash hash, int quality, int line) {}

    /** A line that is not a hash of the detected format, with its number. */
    public static final class MalformedLineException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        MalformedLineException(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private HashListParser() {}

    /**
     * Parses the whole list.
     *
     * @throws MalformedLineException at the first line that is not a hash of the detected format
     */
    public static List<Entry> parse(BufferedReader in) throws IOException {
        List<Entry> out = new ArrayList<>();
        String line;
        int number = 0;
        int[] columns = null;
        boolean first = true;
        while ((line = in.readLine()) != null) {
            number++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            if (s.startsWith("{")) {
                first = false;
                Entry e = jsonLine(s, number);
                if (e != null) {
                    out.add(e);
                }
                continue;
            }
            String[] f = s.split(",", -1);
            boolean header = first && f.length > 1 && !isHex(f[0].strip());
            first = false;
            if (header) {
                columns = header(f, number);
                continue;
            }
            if (columns != null) {
                String type = columns[2] >= 0 && columns[2] < f.length ? f[columns[2]].strip() : "HASH_PDQ";
                if (!isPdqType(type)) {
                    continue;
                }
                String id = columns[1] >= 0 && columns[1] < f.length ? f[columns[1]].strip() : "line-" + number;
                int quality = columns[3] >= 0 && columns[3] < f.length ? quality(f[columns[3]].strip(), number) : 100;
                out.add(new Entry(id, hash(f[columns[0]].strip(), number), quality, number));
                continue;
            }
            int quality = f.length > 1 ? quality(f[1].strip(), number) : 100;
            String id = f.length > 2 && !f[2].isBlank() ? f[2].strip() : "line-" + number;
            out.add(new Entry(id, hash(f[0].strip(), number), quality, number));
        }
        return out;
    }

    /** Column indexes of hash, id, type and quality (-1: absent). */
    private static int[] header(String[] f, int number) {
        int[] c = {-1, -1, -1, -1};
        for (int i = 0; i < f.length; i++) {
            String name = f[i].strip().toLowerCase(Locale.ROOT);
            switch (name) {
                case "hash", "indicator", "raw_indicator", "td_raw_indicator", "signal_value", "pdq" -> c[0] = i;
                case "id", "item_id", "descriptor_id", "signal_id" -> c[1] = i;
                case "type", "indicator_type", "td_indicator_type", "signal_type" -> c[2] = i;
                case "quality" -> c[3] = i;
                default -> {}
            }
        }
        if (c[0] < 0) {
            throw new MalformedLineException(
                    number, "a CSV header needs a hash or indicator column, got " + String.join(",", f));
        }
        return c;
    }

    private static Entry jsonLine(String s, int number) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MalformedLineException(number, "not JSON: " + e.getOriginalMessage());
        }
        String type = text(node, "td_indicator_type", "indicator_type", "type");
        if (type != null && !isPdqType(type)) {
            return null;
        }
        String hex = text(node, "td_raw_indicator", "raw_indicator", "indicator", "hash");
        if (hex == null) {
            throw new MalformedLineException(number, "no td_raw_indicator, raw_indicator or hash field");
        }
        String id = text(node, "id", "descriptor_id");
        String quality = text(node, "quality");
        return new Entry(
                id == null ? "line-" + number : id,
                hash(hex, number),
                quality == null ? 100 : quality(quality, number),
                number);
    }

    private static String text(JsonNode node, String... names) {
        for (String name : names) {
            JsonNode v = node.get(name);
            if (v != null && !v.isNull()) {
                return v.asText();
            }
        }
        return null;
    }

    private static boolean isPdqType(String type) {
        String t = type.toUpperCase(Locale.ROOT);
        return t.equals("HASH_PDQ") || t.equals("PDQ") || t.equals("PHOTO_PDQ") || t.equals("PDQ_HASH");
    }

    private static boolean isHex(String s) {
        return s.length() == 64 && s.chars().allMatch(ch -> Character.digit(ch, 16) >= 0);
    }

    private static PdqHash hash(String s, int number) {
        try {
            return PdqHash.parse(s);
        } catch (IllegalArgumentException e) {
            throw new MalformedLineException(number, e.getMessage());
        }
    }

    private static int quality(String s, int number) {
        try {
            int q = Integer.parseInt(s);
            if (q < 0 || q > 100) {
                throw new MalformedLineException(number, "quality is 0..100, got " + q);
            }
            return q;
        } catch (NumberFormatException e) {
            throw new MalformedLineException(number, "quality is a whole number 0..100, got '" + s + "'");
        }
    }
}
