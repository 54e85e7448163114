package io.clipstream.clip;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values are what Python 3.11's {@code html.unescape} returns for each input. */
class HtmlUnescaperTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "&amp;|&",
                "&ampx|&x",
                "&amp;lt;|&lt;",
                "&#39;|'",
                "&#x27;|'",
                "&#128;|\u20ac",
                "&#0;|\ufffd",
                "&#xD800;|\ufffd",
                "&#1114112;|\ufffd",
                "&#99999999999999;|\ufffd",
                "&notin;|\u2209",
                "&notit;|\u00acit;",
                "&copy|\u00a9",
                "&copyx|\u00a9x",
                "&unknown;|&unknown;",
                "&#x1F431;|\uD83D\uDC31",
                "&NotNestedGreaterGreater;|\u2aa2\u0338",
                "& amp;|& amp;",
                "&#65|A",
                "a&b|a&b",
                "&#129;|\u0081",
            })
    void matchesPythonHtmlUnescape(String input, String expected) {
        assertThat(HtmlUnescaper.unescape(input)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {"&#x0B;", "&#xFFFE;", "&#x10FFFF;", "&#1;"})
    void invalidCodePointsVanish(String input) {
        assertThat(HtmlUnescaper.unescape(input)).isEmpty();
    }
}
