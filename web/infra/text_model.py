"""Loads the bundled text model (WordLlama's l2_supercat table, shipped inside its PyPI wheel).

WordLlama.load() looks for the tokenizer in the wrong folder and then tries to download it, so
the two files are opened here directly, from the installed package, and nothing is fetched.
The wordllama package itself is never imported: its import configures logging and pulls in an
HTTP client, neither of which the site wants.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from scoring.embedding import Embedder

MODEL_NAME = "wordllama-l2_supercat-256"
WEIGHTS_FILE = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER_FILE = Path("tokenizers") / "l2_supercat_tokenizer_config.json"


class TextModelMissing(RuntimeError):
    """The wordllama package (which carries the model files) is not installed."""


def model_folder() -> Path:
    """Where the installed wordllama package keeps its files, found without importing it."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise TextModelMissing("the 'wordllama' package is not installed: pip install -e . installs it")
    return Path(list(spec.submodule_search_locations)[0])


@lru_cache(maxsize=1)
def load_embedder() -> Embedder:
    """The sentence embedder, loaded once per process (about 0.1 s, 16 MB)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    folder = model_folder()
    table = load_file(str(folder / WEIGHTS_FILE))["embedding.weight"]
    tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.no_truncation()

    def encode_word(word: str) -> list[int]:
        return tokenizer.encode(word, add_special_tokens=False).ids

    return Embedder(MODEL_NAME, table, encode_word)
