"""Byte-level BPE for the tiny-shapes CLIP: a trainer, the tokenizer.json writer and an encoder.

The encoder is tools/clip_bpe.py's ``ByteLevelBpe`` (OpenAI's CLIP SimpleTokenizer algorithm: the CLIP split
pattern, bytes mapped to printable unicode characters, BPE with the "</w>" end-of-word suffix applied by merge
rank, <|startoftext|> ... <|endoftext|>, truncation that keeps EOT last, zero padding) over merges trained here,
with NFC + whitespace collapse + lowercase as the normaliser (what the written tokenizer.json declares).
The vocabulary is laid out like CLIP's: the 256 byte characters, the same with "</w>", one entry per merge,
then <|startoftext|> and <|endoftext|> as the two last (largest) ids.
"""
import collections
import json
import os
import sys
import unicodedata

import regex as re

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from clip_bpe import EOT, SOT, SPLIT_PATTERN, ByteLevelBpe, bytes_to_unicode  # noqa: E402
from clip_bpe import pre_tokenize as split_words  # noqa: E402

BYTE_ENCODER = bytes_to_unicode()


def normalize(text):
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.lower()


def pre_tokenize(text):
    """Normalised text -> list of byte-encoded words (the trainer's view of a text)."""
    return split_words(normalize(text))


def _word_symbols(word):
    return tuple(word[:-1]) + (word[-1] + "</w>",)


def train(texts, max_merges=2000, min_frequency=2):
    """Learn merges from texts: repeatedly merge the most frequent adjacent pair (ties: first seen)."""
    counts = collections.Counter()
    for t in texts:
        counts.update(pre_tokenize(t))
    words = {w: list(_word_symbols(w)) for w in sorted(counts)}
    merges = []
    while len(merges) < max_merges:
        pairs = collections.Counter()
        for w, syms in words.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] += counts[w]
        if not pairs:
            break
        best, freq = max(sorted(pairs.items()), key=lambda kv: kv[1])
        if freq < min_frequency:
            break
        merges.append(best)
        for w, syms in words.items():
            i, out = 0, []
            while i < len(syms):
                if i < len(syms) - 1 and (syms[i], syms[i + 1]) == best:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            words[w] = out
    return merges


def build_vocab(merges):
    base = list(BYTE_ENCODER.values())
    vocab = base + [v + "</w>" for v in base]
    seen = set(vocab)
    for a, b in merges:
        if a + b not in seen:                      # a merged string already present keeps its first id
            vocab.append(a + b)
            seen.add(a + b)
    vocab += [SOT, EOT]
    return {tok: i for i, tok in enumerate(vocab)}


class Tokenizer(ByteLevelBpe):
    def __init__(self, merges, context_length):
        super().__init__(merges, build_vocab([tuple(m) for m in merges]))
        self.sot = self.sot_token
        self.eot = self.eot_token
        self.context_length = context_length

    @classmethod
    def from_tokenizer_json(cls, path, context_length):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in data["model"]["merges"]]
        tok = cls(merges, context_length)
        if tok.encoder != data["model"]["vocab"]:
            raise ValueError("vocabulary in %s does not match its merges" % path)
        return tok

    @property
    def vocab_size(self):
        return len(self.encoder)

    def clean(self, text):
        return normalize(text)

    def tokenize(self, text):
        """Text -> list of context_length ids: SOT, ids, EOT (kept last when truncated), zero padding."""
        return self.tokenize_one(text, self.context_length)

    def to_tokenizer_json(self):
        """The Hugging Face tokenizers JSON, laid out like the one shipped with CLIP models."""
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [
                {"id": self.sot, "content": SOT, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": True, "special": True},
                {"id": self.eot, "content": EOT, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": True, "special": True},
            ],
            "normalizer": {"type": "Sequence", "normalizers": [
                {"type": "NFC"},
                {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "},
                {"type": "Lowercase"},
            ]},
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": SPLIT_PATTERN}, "behavior": "Removed", "invert": True},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
            ]},
            "post_processor": {"type": "RobertaProcessing", "sep": [EOT, self.eot], "cls": [SOT, self.sot],
                               "trim_offsets": False, "add_prefix_space": False},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE", "dropout": None, "unk_token": EOT, "continuing_subword_prefix": "",
                "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False,
                "vocab": self.encoder,
                "merges": [a + " " + b for a, b in self.merges],
            },
        }

    def tokenizer_config(self):
        """tokenizer_config.json as shipped with CLIP models (HF / Immich layout). The pad token is named like
        theirs; ids are zero-padded as clip.tokenize does, which gives the same embedding (pooling at the first
        EOT, causal mask)."""
        special = {"lstrip": False, "normalized": True, "rstrip": False, "single_word": False, "special": True}
        return {
            "add_prefix_space": False,
            "bos_token": SOT,
            "clean_up_tokenization_spaces": True,
            "do_lower_case": True,
            "eos_token": EOT,
            "errors": "replace",
            "model_max_length": self.context_length,
            "pad_token": EOT,
            "tokenizer_class": "CLIPTokenizer",
            "unk_token": EOT,
            "added_tokens_decoder": {
                str(self.sot): dict(content=SOT, **special),
                str(self.eot): dict(content=EOT, **special),
            },
        }
