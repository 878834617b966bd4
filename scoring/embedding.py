"""Sentence vectors from a static token-embedding table: mean of token vectors, unit length.

The table and the word encoder are handed in by the caller (web.infra.text_model loads WordLlama's
bundled files), so this module reads no files and touches no network. Texts are split into
words here and each word is encoded once and remembered: a sentence model over a static table
needs no context, and answers reuse the same few thousand words, so this is several times
faster than running the subword tokenizer over every answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

WORD_RE = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*|[$€£%]")
MAX_WORDS_REMEMBERED = 100_000  # bounded so a long-running server cannot grow it without limit


class Embedder:
    """Embeds texts as the unit-length mean of their words' static token vectors."""

    def __init__(self, name: str, table: np.ndarray, encode_word: Callable[[str], Sequence[int]]):
        self.name = name
        self.table = np.ascontiguousarray(table, dtype=np.float32)
        self.dim = int(self.table.shape[1])
        self._encode_word = encode_word
        self._ids: dict[str, tuple[int, ...]] = {}

    def word_ids(self, word: str) -> tuple[int, ...]:
        """The table rows of one word (remembered; a race only encodes a word twice)."""
        ids = self._ids.get(word)
        if ids is None:
            rows = self.table.shape[0]
            ids = tuple(i for i in self._encode_word(word) if 0 <= i < rows)
            if len(self._ids) >= MAX_WORDS_REMEMBERED:
                self._ids.clear()
            self._ids[word] = ids
        return ids

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length row per text (a zero row for a text with no words)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        flat: list[int] = []
        starts: list[int] = []
        rows: list[int] = []
        for i, text in enumerate(texts):
            ids = [t for w in WORD_RE.findall(text) for t in self.word_ids(w)]
            if ids:
                rows.append(i)
                starts.append(len(flat))
                flat.extend(ids)
        if not flat:
            return out
        sums = np.add.reduceat(self.table[np.asarray(flat)], np.asarray(starts), axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        out[np.asarray(rows)] = sums / norms
        return out
