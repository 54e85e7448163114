#!/usr/bin/env python3
"""Writes the HTML5 named character references that Python's html.unescape uses, for the Java tokenizer.

OpenAI's CLIP tokenizer runs html.unescape twice on every text; the Java port (HtmlUnescaper) needs the same
table. Output: one line per reference, "name<TAB>code points in hex separated by spaces"; names ending in ';'
are the terminated forms, the others the legacy forms html.unescape also accepts without a semicolon.

Usage: python3 tools/gen_html5_entities.py > streams-app/src/main/resources/io/clipstream/clip/html5-entities.tsv
"""
import html.entities
import sys

for name in sorted(html.entities.html5):
    value = html.entities.html5[name]
    sys.stdout.write(name + "\t" + " ".join("%x" % ord(ch) for ch in value) + "\n")
