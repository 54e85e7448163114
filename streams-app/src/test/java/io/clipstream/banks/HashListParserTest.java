package io.clipstream.banks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashListParserTest {

    private static final String A = "f8f8f0cee0f4a84f06370a22038f67f0b36e2ed596221e1d33e6b39c4e9c9b22";
    private static final String B = "30a10efd71c83f429013d48d0ffffc52e34e0e17ada952a9d29685211ea9e5af";

    private static List<HashListParser.Entry> parse(String text) throws IOException {
        return HashListParser.parse(new BufferedReader(new StringReader(text)));
    }

    @Test
    void plainHexLinesGetLineIdsAndFullQuality() throws IOException {
        List<HashListParser.Entry> e =
                parse("# partner list\n" + A + "\n\n" + B.toUpperCase(java.util.Locale.ROOT) + "\n");
        assertThat(e).extracting(HashListParser.Entry::id).containsExactly("line-2", "line-4");
        assertThat(e).extracting(x -> x.hash().toHex()).containsExactly(A, B);
        assertThat(e).extracting(HashListParser.Entry::quality).containsExactly(100, 100);
    }

    @Test
    void csvWithQualityAndOptionalIdAndAHeader() throws IOException {
        List<HashListParser.Entry> e = parse("hash,quality,id\n" + A + ",87,item-a\n" + B + ",55\n");
        assertThat(e).extracting(HashListParser.Entry::id).containsExactly("item-a", "line-3");
        assertThat(e).extracting(HashListParser.Entry::quality).containsExactly(87, 55);
    }

    @Test
    void threatExchangeExportsKeepOnlyPdqDescriptors() throws IOException {
        List<HashListParser.Entry> json =
                parse("{\"id\": \"3188561124553245\", \"td_raw_indicator\": \"" + A + "\", \"td_indicator_type\":"
                        + " \"HASH_PDQ\"}\n"
                        + "{\"id\": \"1\", \"td_raw_indicator\": \"abc\", \"td_indicator_type\": \"HASH_MD5\"}\n");
        assertThat(json).extracting(HashListParser.Entry::id).containsExactly("3188561124553245");
        List<HashListParser.Entry> csv = parse("id,indicator,type,tags\n77," + B + ",HASH_PDQ,media_type_photo\n"
                + "78,d41d8cd98f00b204e9800998ecf8427e,HASH_MD5,x\n");
        assertThat(csv).extracting(HashListParser.Entry::id).containsExactly("77");
        assertThat(csv.get(0).hash().toHex()).isEqualTo(B);
    }

    @Test
    void aBadLineIsNamedByNumber() {
        assertThatThrownBy(() -> parse(A + ",90\n" + A.substring(1) + ",90\n"))
                .isInstanceOf(HashListParser.MalformedLineException.class)
                .hasMessage("line 2: a PDQ hash is 64 hex digits, got 63 characters: '" + A.substring(1) + "'");
        assertThatThrownBy(() -> parse(A + ",101\n")).hasMessage("line 1: quality is 0..100, got 101");
    }
}
