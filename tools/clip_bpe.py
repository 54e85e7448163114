"""A re-implementation of OpenAI CLIP's byte-level BPE tokenizer (clip/simple_tokenizer.py semantics).

``ByteLevelBpe`` is the one BPE encoder of tools/: ``ClipBpeTokenizer`` here (OpenAI's merges) and the
tiny-shapes tokenizer (tools/tiny_shapes/bpe.py, merges it trains itself) are both built on it.

Written for ClipStream's test-model generator. It reads the published merges file
(bpe_simple_vocab_16e6.txt.gz, supplied in ../shared/clip/ and never copied into this repository)
and produces the same token ids as OpenAI's ``clip.tokenize(texts, context_length=77, truncate=True)``.

Deviation from OpenAI: ``ftfy.fix_text`` is not applied (ftfy is not installed here). For well-formed
Unicode input without mojibake this makes no difference; ``basic_clean`` still unescapes HTML entities twice
and strips, exactly as OpenAI does.

Usage as a script::

    python3 tools/clip_bpe.py --golden /work/shared/clip/tokenize-golden.json
"""

import argparse
import gzip
import html
import json
import os
import sys
from functools import lru_cache

import regex as re

SOT = "<|startoftext|>"
EOT = "<|endoftext|>"
DEFAULT_BPE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "clip",
                                "bpe_simple_vocab_16e6.txt.gz")

# The split pattern OpenAI uses (case-insensitive): special tokens, English contractions,
# runs of letters, single digits, runs of other non-space characters.
SPLIT_PATTERN = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
_PATTERN = re.compile(SPLIT_PATTERN, re.IGNORECASE)


@lru_cache()
def bytes_to_unicode():
    """Map every byte 0..255 to a printable unicode character (GPT-2 / CLIP scheme).

    Printable Latin-1 bytes map to themselves; the remaining bytes map to 256, 257, ... in byte order.
    """
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) \
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    byte_values = list(keep)
    code_points = list(keep)
    extra = 0
    for b in range(256):
        if b not in keep:
            byte_values.append(b)
            code_points.append(256 + extra)
            extra += 1
    return dict(zip(byte_values, [chr(c) for c in code_points]))


def symbol_pairs(word):
    """Set of adjacent symbol pairs in a word given as a tuple of symbols."""
    return {(a, b) for a, b in zip(word[:-1], word[1:])}


def basic_clean(text):
    # OpenAI: ftfy.fix_text(text) first -- skipped (no ftfy available).
    text = html.unescape(html.unescape(text))
    return text.strip()


def whitespace_clean(text):
    text = re.sub(r"\s+", " ", text)
    return text.strip()


def pre_tokenize(text):
    """Cleaned text -> its words (the CLIP split pattern), each byte-encoded as printable characters."""
    byte_encoder = bytes_to_unicode()
    return ["".join(byte_encoder[b] for b in piece.encode("utf-8")) for piece in _PATTERN.findall(text)]


class ByteLevelBpe:
    """CLIP's byte-level BPE encoder over given merges and vocabulary: the one implementation of the merge loop,
    SOT ... EOT framing, truncation that keeps EOT last, zero padding and decoding. Subclasses say how text is
    cleaned (``clean``) and where the merges come from."""

    def __init__(self, merges, encoder):
        self.merges = [tuple(m) for m in merges]
        self.bpe_ranks = {m: i for i, m in enumerate(self.merges)}
        self.encoder = encoder
        self.decoder = {i: tok for tok, i in encoder.items()}
        self.byte_decoder = {v: k for k, v in bytes_to_unicode().items()}
        self.sot_token = encoder[SOT]
        self.eot_token = encoder[EOT]
        self.cache = {SOT: SOT, EOT: EOT}

    def clean(self, text):
        """Text as the split pattern sees it."""
        raise NotImplementedError

    def bpe(self, token):
        """A byte-encoded word -> its BPE symbols joined by spaces: the lowest-ranked pair merged first."""
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = symbol_pairs(word)
        if not pairs:
            return token + "</w>"
        while True:
            best = min(pairs, key=lambda p: self.bpe_ranks.get(p, float("inf")))
            if best not in self.bpe_ranks:
                break
            first, second = best
            merged = []
            i = 0
            while i < len(word):
                # copy everything up to the next occurrence of `first`
                try:
                    j = word.index(first, i)
                except ValueError:
                    merged.extend(word[i:])
                    break
                merged.extend(word[i:j])
                i = j
                if i < len(word) - 1 and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
            if len(word) == 1:
                break
            pairs = symbol_pairs(word)
        result = " ".join(word)
        self.cache[token] = result
        return result

    def encode(self, text):
        """Text -> BPE ids without SOT/EOT."""
        ids = []
        for word in pre_tokenize(self.clean(text)):
            ids.extend(self.encoder[sym] for sym in self.bpe(word).split(" "))
        return ids

    def decode(self, ids):
        text = "".join(self.decoder[i] for i in ids if i not in (self.sot_token, self.eot_token))
        raw = bytearray(self.byte_decoder[c] for c in text)
        return raw.decode("utf-8", errors="replace").replace("</w>", " ").strip()

    def tokenize_one(self, text, context_length, truncate=True):
        """Text -> ``context_length`` ids: SOT, ids, EOT (kept last when truncated), zero padding."""
        ids = [self.sot_token] + self.encode(text) + [self.eot_token]
        if len(ids) > context_length:
            if not truncate:
                raise RuntimeError(f"Input {text!r} is too long for context length {context_length}")
            ids = ids[:context_length]
            ids[-1] = self.eot_token
        return ids + [0] * (context_length - len(ids))


class ClipBpeTokenizer(ByteLevelBpe):
    """OpenAI's tokenizer: the published merges, HTML unescaping, whitespace collapse, lower case."""

    def __init__(self, bpe_path=DEFAULT_BPE_PATH):
        with gzip.open(bpe_path, "rb") as fh:
            lines = fh.read().decode("utf-8").split("\n")
        # Line 0 is the version header; OpenAI keeps lines 1 .. 49152-256-2 (48894 merges).
        merge_lines = lines[1:49152 - 256 - 2 + 1]
        merges = [tuple(line.split()) for line in merge_lines]
        byte_chars = list(bytes_to_unicode().values())
        vocab = byte_chars + [c + "</w>" for c in byte_chars]
        vocab.extend("".join(m) for m in merges)
        vocab.extend([SOT, EOT])
        super().__init__(merges, {tok: i for i, tok in enumerate(vocab)})

    def clean(self, text):
        return whitespace_clean(basic_clean(text)).lower()

    def tokenize(self, texts, context_length=77, truncate=True):
        """Like clip.tokenize: list of lists of ``context_length`` ints (SOT ... EOT, zero padded)."""
        if isinstance(texts, str):
            texts = [texts]
        return [self.tokenize_one(text, context_length, truncate) for text in texts]


def check_golden(tokenizer, golden_path):
    with open(golden_path, encoding="utf-8") as fh:
        cases = json.load(fh)["cases"]
    matched = 0
    for case in cases:
        got = tokenizer.tokenize(case["text"])[0]
        if got == case["ids"]:
            matched += 1
        else:
            print(f"MISMATCH {case['text']!r}:\n  want {case['ids']}\n  got  {got}", file=sys.stderr)
    return matched, len(cases)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bpe", default=DEFAULT_BPE_PATH)
    ap.add_argument("--golden", default=os.path.join(os.path.dirname(DEFAULT_BPE_PATH), "tokenize-golden.json"))
    ap.add_argument("text", nargs="*")
    args = ap.parse_args()
    tok = ClipBpeTokenizer(args.bpe)
    for t in args.text:
        print(json.dumps({"text": t, "ids": tok.tokenize(t)[0]}, ensure_ascii=False))
    if not args.text:
        matched, total = check_golden(tok, args.golden)
        print(f"golden tokenize cases matched: {matched}/{total}")
        sys.exit(0 if matched == total else 1)


if __name__ == "__main__":
    main()
