"""Byte-level BPE for the tiny-shapes CLIP: a trainer, the tokenizer.json writer and an encoder.

The encoder follows OpenAI's CLIP SimpleTokenizer: NFC + whitespace collapse + lowercase, the CLIP split
pattern, bytes mapped to printable unicode characters, BPE with the "</w>" end-of-word suffix applied by
merge rank, <|startoftext|> ... <|endoftext|>, truncation that keeps EOT last, zero padding.
The vocabulary is laid out like CLIP's: the 256 byte characters, the same with "</w>", one entry per merge,
then <|startoftext|> and <|endoftext|> as the two last (largest) ids.
"""
import collections
import json
import unicodedata

import regex as re

SOT = "<|startoftext|>"
EOT = "<|endoftext|>"
SPLIT_PATTERN = r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""
_PAT = re.compile(SPLIT_PATTERN, re.IGNORECASE)


def bytes_to_unicode():
    """The GPT-2/CLIP reversible byte -> printable unicode character table, in CLIP's order."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()


def normalize(text):
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.lower()


def pre_tokenize(text):
    """Normalised text -> list of byte-encoded words."""
    return ["".join(BYTE_ENCODER[b] for b in tok.encode("utf-8")) for tok in _PAT.findall(normalize(text))]


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


class Tokenizer:
    def __init__(self, merges, context_length):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.encoder = build_vocab(self.merges)
        self.decoder = {v: k for k, v in self.encoder.items()}
        self.sot = self.encoder[SOT]
        self.eot = self.encoder[EOT]
        self.context_length = context_length
        self.cache = {}

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

    def bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        syms = list(_word_symbols(word))
        while len(syms) > 1:
            pairs = [(self.ranks.get(p, float("inf")), i, p) for i, p in enumerate(zip(syms, syms[1:]))]
            rank, _, pair = min(pairs)
            if rank == float("inf"):
                break
            out, i = [], 0
            while i < len(syms):
                if i < len(syms) - 1 and (syms[i], syms[i + 1]) == pair:
                    out.append(syms[i] + syms[i + 1])
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            syms = out
        self.cache[word] = syms
        return syms

    def encode(self, text):
        """Text -> BPE ids without SOT/EOT."""
        ids = []
        for word in pre_tokenize(text):
            ids.extend(self.encoder[s] for s in self.bpe(word))
        return ids

    def tokenize(self, text):
        """Text -> list of context_length ids: SOT, ids, EOT (kept last when truncated), zero padding."""
        ids = [self.sot] + self.encode(text) + [self.eot]
        if len(ids) > self.context_length:
            ids = ids[: self.context_length]
            ids[-1] = self.eot
        return ids + [0] * (self.context_length - len(ids))

    def decode(self, ids):
        byte_decoder = {v: k for k, v in BYTE_ENCODER.items()}
        text = "".join(self.decoder[i] for i in ids if i not in (self.sot, self.eot))
        return bytearray(byte_decoder[c] for c in text.replace("</w>", " ")).decode("utf-8", "replace").strip()

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
