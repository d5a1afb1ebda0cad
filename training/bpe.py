"""CLIP's byte-level BPE: training a small merge list for the dataset's words, and encoding text with it.

The encoder follows OpenAI's original CLIP tokenizer (bytes_to_unicode, the same regular expression, `</w>`
end-of-word marks, merges applied lowest rank first); the studio's TypeScript tokenizer must give the same ids.
"""
import html
import json
import re
from collections import Counter

SOT = "<|startoftext|>"
EOT = "<|endoftext|>"
PAT = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+", re.IGNORECASE)


def bytes_to_unicode():
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


def clean(text: str) -> str:
    text = html.unescape(html.unescape(text)).strip()
    return re.sub(r"\s+", " ", text).strip().lower()


def word_symbols(word: str):
    chars = [BYTE_ENCODER[b] for b in word.encode("utf-8")]
    return tuple(chars[:-1]) + (chars[-1] + "</w>",)


def train_merges(words):
    """Plain BPE training until every word is a single symbol; ties broken by the pair's text."""
    segs = {w: list(word_symbols(w)) for w in words}
    merges = []
    while True:
        pairs = Counter()
        for seg in segs.values():
            for a, b in zip(seg, seg[1:]):
                pairs[(a, b)] += 1
        if not pairs:
            return merges
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merges.append(best)
        for w, seg in segs.items():
            out, i = [], 0
            while i < len(seg):
                if i + 1 < len(seg) and (seg[i], seg[i + 1]) == best:
                    out.append(seg[i] + seg[i + 1])
                    i += 2
                else:
                    out.append(seg[i])
                    i += 1
            segs[w] = out


def build_vocab(merges):
    symbols = list(BYTE_ENCODER.values())
    vocab = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges] + [SOT, EOT]
    return {s: i for i, s in enumerate(vocab)}


class Tokenizer:
    def __init__(self, vocab: dict, merges: list, max_length: int):
        self.vocab = vocab
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.max_length = max_length
        self.cache = {}

    @classmethod
    def from_folder(cls, folder: str):
        with open(f"{folder}/vocab.json", encoding="utf-8") as f:
            vocab = json.load(f)
        with open(f"{folder}/merges.txt", encoding="utf-8") as f:
            lines = f.read().split("\n")[1:]
        merges = [tuple(line.split()) for line in lines if line]
        with open(f"{folder}/tokenizer_config.json", encoding="utf-8") as f:
            config = json.load(f)
        return cls(vocab, merges, config["model_max_length"])

    def bpe(self, word: str):
        if word in self.cache:
            return self.cache[word]
        seg = list(word_symbols(word))
        while len(seg) > 1:
            pairs = [(self.ranks.get((a, b), float("inf")), i) for i, (a, b) in enumerate(zip(seg, seg[1:]))]
            rank, _ = min(pairs)
            if rank == float("inf"):
                break
            first, second = next((a, b) for (a, b) in zip(seg, seg[1:]) if self.ranks.get((a, b)) == rank)
            out, i = [], 0
            while i < len(seg):
                if i + 1 < len(seg) and seg[i] == first and seg[i + 1] == second:
                    out.append(first + second)
                    i += 2
                else:
                    out.append(seg[i])
                    i += 1
            seg = out
        self.cache[word] = seg
        return seg

    def encode(self, text: str):
        ids = []
        for token in PAT.findall(clean(text)):
            ids.extend(self.vocab[s] for s in self.bpe(token))
        return ids

    def __call__(self, text: str):
        """Ids with start and end tokens, truncated and padded with the end token to max_length."""
        ids = [self.vocab[SOT]] + self.encode(text)[: self.max_length - 2] + [self.vocab[EOT]]
        return ids + [self.vocab[EOT]] * (self.max_length - len(ids))
