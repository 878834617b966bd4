"""The learned offline scorer as the application runs it: the bundled model file plus the text model."""

from __future__ import annotations

import io
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from scoring.learned import LearnedModel, LearnedScorer
from web.infra.text_model import load_embedder

BUNDLED_MODEL = Path(__file__).resolve().parents[1] / "scorer_models" / "bundled.npz"


def model_to_bytes(model: LearnedModel) -> bytes:
    """A model as the bytes of an .npz file (no pickle inside)."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **model.to_arrays())
    return buffer.getvalue()


def model_from_bytes(data: bytes) -> LearnedModel:
    """A model from the bytes `model_to_bytes` wrote."""
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return LearnedModel.from_arrays({k: arrays[k] for k in arrays.files})


def save_model(model: LearnedModel, path: Path) -> None:
    """Write a model file (atomically: a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(model_to_bytes(model))
    tmp.replace(path)


def load_model(path: Path) -> LearnedModel:
    """Read a model file."""
    return model_from_bytes(path.read_bytes())


@lru_cache(maxsize=1)
def bundled_model() -> LearnedModel:
    """The model shipped inside the package."""
    return load_model(BUNDLED_MODEL)


_SCORERS: dict[str, LearnedScorer] = {}
_SCORERS_LOCK = threading.Lock()
MAX_SCORERS = 8  # models kept in memory (each is about 0.3 MB besides the shared text model)


def scorer_for(model: LearnedModel) -> LearnedScorer:
    """One scorer per model version, built once."""
    with _SCORERS_LOCK:
        scorer = _SCORERS.get(model.version)
        if scorer is None:
            if len(_SCORERS) >= MAX_SCORERS:
                _SCORERS.clear()
            scorer = _SCORERS[model.version] = LearnedScorer(model, load_embedder())
        return scorer


def cached_scorer(version: str) -> LearnedScorer | None:
    """The scorer already built for a model version in this process, if any."""
    with _SCORERS_LOCK:
        return _SCORERS.get(version)


def bundled_scorer() -> LearnedScorer:
    """The scorer every new answer gets unless an admin has activated another model."""
    return scorer_for(bundled_model())
